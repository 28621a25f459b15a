dnl Flag probes, one flag at a time, in the manner of OpenSSH's m4/openssh.m4:
dnl a flag the compiler or linker does not take is left out, never guessed.

dnl AGENTSH_CHECK_CFLAG_COMPILE(flag)
AC_DEFUN([AGENTSH_CHECK_CFLAG_COMPILE], [{
	AC_MSG_CHECKING([whether $CC supports $1])
	saved_CFLAGS="$CFLAGS"
	CFLAGS="$CFLAGS $WERROR_PROBE $1"
	AC_COMPILE_IFELSE([AC_LANG_SOURCE([[
#include <stdio.h>
int main(int argc, char **argv) {
	(void)argv;
	printf("%d\n", argc);
	return 0;
}
	]])],
	[AC_MSG_RESULT([yes])
	 CFLAGS="$saved_CFLAGS"
	 AGENTSH_CFLAGS="$AGENTSH_CFLAGS $1"],
	[AC_MSG_RESULT([no])
	 CFLAGS="$saved_CFLAGS"])
}])

dnl AGENTSH_CHECK_LDFLAG_LINK(flag)
AC_DEFUN([AGENTSH_CHECK_LDFLAG_LINK], [{
	AC_MSG_CHECKING([whether $LD supports $1])
	saved_LDFLAGS="$LDFLAGS"
	LDFLAGS="$LDFLAGS $WERROR_PROBE $1"
	AC_LINK_IFELSE([AC_LANG_SOURCE([[
int main(void) { return 0; }
	]])],
	[AC_MSG_RESULT([yes])
	 LDFLAGS="$saved_LDFLAGS"
	 AGENTSH_LDFLAGS="$AGENTSH_LDFLAGS $1"],
	[AC_MSG_RESULT([no])
	 LDFLAGS="$saved_LDFLAGS"])
}])
