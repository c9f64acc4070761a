/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KPATCH_SYSCALL_DEFINE1..6: for patches that change a system call. Use it
 * in place of SYSCALL_DEFINEn, with the same arguments:
 *
 *   KPATCH_SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
 *
 * Why: SYSCALL_DEFINEn puts the body in a static inline __do_sys_NAME, and
 * the kernel's inline means notrace. Where a patch makes the compiler keep
 * that function out of line, it has no ftrace entry and livepatch cannot
 * redirect it. Here the body is __kpatch_do_sys_NAME, a function new to the
 * patch (needing no ftrace entry), and what is patched is the entry points
 * the kernel calls, __x64_sys_NAME and __ia32_sys_NAME, which have one.
 * The syscall's tracing metadata is the kernel's own, so it is unchanged.
 *
 * x86-64 only: the wrappers of 6.1 and 6.12 have one shape there
 * (arch/x86/include/asm/syscall_wrapper.h).
 */
#ifndef KPATCH_SYSCALL_H
#define KPATCH_SYSCALL_H

#include <linux/syscalls.h>

#ifndef CONFIG_X86_64
#error "kpatch-syscall.h supports x86-64 only"
#endif

/* The kernel's __SYSCALL_DEFINEx, with the body renamed to PREFIX##NAME. */
#define __KPATCH_SYSCALL_BODYx(prefix, x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));		\
	static inline long prefix##name(__MAP(x, __SC_DECL, __VA_ARGS__));	\
	__X64_SYS_STUBx(x, name, __VA_ARGS__)					\
	__IA32_SYS_STUBx(x, name, __VA_ARGS__)					\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))		\
	{									\
		long ret = prefix##name(__MAP(x, __SC_CAST, __VA_ARGS__));	\
		__MAP(x, __SC_TEST, __VA_ARGS__);				\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));		\
		return ret;							\
	}									\
	static inline long prefix##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define KPATCH_SYSCALL_DEFINEx(x, sname, ...)					\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)					\
	__KPATCH_SYSCALL_BODYx(__kpatch_do_sys, x, sname, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINE1(name, ...) KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* KPATCH_SYSCALL_H */
