/*
 * Payload codec.  Every message type has one payload struct and a field
 * table (ipc_msg.c); encoding and decoding are driven by that table, so each
 * check (exact length, no trailing bytes, no embedded NUL, no unknown flag
 * bits, bounded counts) is written once and applies to every message.
 *
 * Wire format, field after field, host byte order (the peers share a host):
 *   U32 I32 FLAGS ENUM	4 bytes		U64 I64		8 bytes
 *   STR	u32 length, that many bytes, a NUL; no NUL inside
 *   BYTES	u32 length, that many bytes
 *   STRV	u32 count, then count STR
 */
#ifndef AGENTSH_IPC_CODEC_H
#define AGENTSH_IPC_CODEC_H

#include <stddef.h>
#include <stdint.h>

enum ipc_fkind {
	IPC_FK_U32 = 1,
	IPC_FK_I32,
	IPC_FK_U64,
	IPC_FK_I64,
	IPC_FK_FLAGS,		/* arg: the bits that may be set */
	IPC_FK_ENUM,		/* arg: values are < arg */
	IPC_FK_STR,		/* arg: maximum length */
	IPC_FK_BYTES,		/* arg: maximum length */
	IPC_FK_STRV,		/* arg: maximum count; each string <= 64 KiB */
};

struct ipc_field {
	uint8_t		 kind;
	uint32_t	 off;
	uint32_t	 arg;
	const char	*name;
};

/* Decoded STR fields point into the message payload (NUL-terminated). */
struct ipc_bytes {
	const uint8_t	*p;
	uint32_t	 len;
};

struct ipc_strv {
	uint32_t	 n;
	const char	**v;		/* n entries and a NULL; v is allocated */
};

#define IPC_FD_NONE	 0
#define IPC_FD_OPTIONAL	 1
#define IPC_FD_REQUIRED	 2

struct ipc_msgdef {
	uint32_t		 type;
	const char		*name;
	uint8_t			 fdspec;
	size_t			 size;		/* of the payload struct */
	const struct ipc_field	*fields;
	size_t			 nfields;
};

#define IPC_STRV_ITEM_MAX	 (64 * 1024)

const struct ipc_msgdef *ipc_msg_def(uint32_t);
const struct ipc_msgdef *ipc_msg_def_at(size_t);
const char	*ipc_msg_name(uint32_t);
int		 ipc_msg_fdspec(uint32_t);

int	 ipc_encode(uint32_t type, const void *st, uint8_t **out, size_t *len);
int	 ipc_decode(uint32_t type, const uint8_t *data, size_t len, void *st,
	    char *why, size_t whylen);
void	 ipc_decoded_free(uint32_t type, void *st);

#endif /* AGENTSH_IPC_CODEC_H */
