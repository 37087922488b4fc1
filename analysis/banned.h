/* SPDX-License-Identifier: MIT */
/*
 * Functions that are easy to misuse, after git's banned.h.  Include this
 * last in every .c file: a use then fails to compile.
 */
#ifndef ANALYSIS_BANNED_H
#define ANALYSIS_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gets
#define gets(x) BANNED(gets)
/* sort_n() (sort.h) instead: qsort's base must not be NULL, even when empty */
#undef qsort
#define qsort(...) BANNED(qsort)

#endif
