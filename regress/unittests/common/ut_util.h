/* Helpers the unit suites share. */
#ifndef REGRESS_UT_UTIL_H
#define REGRESS_UT_UTIL_H

/* Removes dir and everything under it, without following symlinks;
 * 0, or -1 when something could not be removed (said on stderr). */
int	 ut_rmtree(const char *dir);

#endif /* REGRESS_UT_UTIL_H */
