/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helpers upstream's klp-build gives patch authors (Linux 6.19's
 * include/linux/livepatch_helpers.h), for kernels that predate them: a
 * patch written for klp-build builds here unchanged. kpatch-build puts this
 * header in the build only when the target's source lacks it.
 *
 *   KLP_PRE_PATCH_CALLBACK(fn)     int fn(struct klp_object *obj)
 *   KLP_POST_PATCH_CALLBACK(fn)    void fn(struct klp_object *obj)
 *   KLP_PRE_UNPATCH_CALLBACK(fn)   void fn(struct klp_object *obj)
 *   KLP_POST_UNPATCH_CALLBACK(fn)  void fn(struct klp_object *obj)
 *   KLP_STATIC_CALL(name)          call a static call's current target
 *   KLP_SYSCALL_DEFINE1..6         a system call whose body is patched
 *
 * They record what they name the way kpatch-macros.h does, which is what
 * kpatch-build reads; see there and kpatch-syscall.h for why each exists.
 */
#ifndef _LINUX_LIVEPATCH_HELPERS_H
#define _LINUX_LIVEPATCH_HELPERS_H

#include "../kpatch-macros.h"

typedef int (*klp_pre_patch_t)(struct klp_object *obj);
typedef void (*klp_post_patch_t)(struct klp_object *obj);
typedef void (*klp_pre_unpatch_t)(struct klp_object *obj);
typedef void (*klp_post_unpatch_t)(struct klp_object *obj);

#define KLP_PRE_PATCH_CALLBACK(fn) KPATCH_PRE_PATCH_CALLBACK(fn)
#define KLP_POST_PATCH_CALLBACK(fn) KPATCH_POST_PATCH_CALLBACK(fn)
#define KLP_PRE_UNPATCH_CALLBACK(fn) KPATCH_PRE_UNPATCH_CALLBACK(fn)
#define KLP_POST_UNPATCH_CALLBACK(fn) KPATCH_POST_UNPATCH_CALLBACK(fn)

#define KLP_STATIC_CALL(name) KPATCH_STATIC_CALL(name)

#define KLP_SYSCALL_DEFINEx(x, sname, ...)					\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)					\
	__KPATCH_SYSCALL_BODYx(__klp_do_sys, x, sname, __VA_ARGS__)

#define KLP_SYSCALL_DEFINE1(name, ...) KLP_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE2(name, ...) KLP_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE3(name, ...) KLP_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE4(name, ...) KLP_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE5(name, ...) KLP_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KLP_SYSCALL_DEFINE6(name, ...) KLP_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* _LINUX_LIVEPATCH_HELPERS_H */
