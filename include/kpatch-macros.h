/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patch-author API of kpatch, for patches built by kpatch-build:
 * #include "kpatch-macros.h" in a patched file. Patches written for kpatch
 * build here unchanged.
 *
 * Callbacks run when the patch is applied to, or removed from, the object
 * (vmlinux or a module) the file is compiled into; kpatch-build makes each
 * one the klp_object's callback (Documentation/livepatch/callbacks.rst):
 *
 *   KPATCH_PRE_PATCH_CALLBACK(fn)    int fn(patch_object *obj): before the
 *                                    object is patched; non-zero refuses the
 *                                    patch (or the module's load)
 *   KPATCH_POST_PATCH_CALLBACK(fn)   void fn(patch_object *obj): after it
 *   KPATCH_PRE_UNPATCH_CALLBACK(fn)  void fn(patch_object *obj): before the
 *                                    patch is removed from the object
 *   KPATCH_POST_UNPATCH_CALLBACK(fn) void fn(patch_object *obj): after, e.g.
 *                                    to free shadow variables
 *
 * At most one of each kind per patched object.
 *
 * Directives to the differ:
 *
 *   KPATCH_IGNORE_FUNCTION(fn)    fn changed only as a side effect (a
 *                                 __LINE__ it prints): leave it out
 *   KPATCH_IGNORE_SECTION("name") treat the section as unchanged
 *   KPATCH_FORCE_UNSAFE(fn)       accepted for kpatch's sake; the kernel's
 *                                 livepatch has no per-function way around
 *                                 its consistency model, so it changes
 *                                 nothing (kpatch-build says so)
 *
 * And helpers for patched code:
 *
 *   KPATCH_PRINTK(fmt, ...)       printk that does not make its path cold
 *   KPATCH_STATIC_CALL(name)      call through a static call's current
 *                                 target, for keys a module defines
 *
 * Each macro only records what it names in a section kpatch-build reads.
 */
#ifndef KPATCH_MACROS_H
#define KPATCH_MACROS_H

#include <linux/compiler.h>
#include <linux/jiffies.h>
#include <linux/livepatch.h>
#include <linux/printk.h>
#include <linux/static_call_types.h>
#include "kpatch-syscall.h"

typedef struct klp_object patch_object;

typedef int (*kpatch_pre_patch_call_t)(patch_object *obj);
typedef void (*kpatch_post_patch_call_t)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(patch_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(patch_object *obj);

/*
 * kpatch's record layout: the function, then the object's name, which the
 * tools fill in. The function's type is checked where the macro is used.
 */
#define KPATCH_CALLBACK(kind, fn)						\
	static struct {								\
		kpatch_##kind##_call_t call;					\
		char *objname;							\
	} __kpatch_##kind##_##fn __used						\
	__section(".kpatch.callbacks." #kind) = { .call = fn }

#define KPATCH_PRE_PATCH_CALLBACK(fn) KPATCH_CALLBACK(pre_patch, fn)
#define KPATCH_POST_PATCH_CALLBACK(fn) KPATCH_CALLBACK(post_patch, fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) KPATCH_CALLBACK(pre_unpatch, fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn) KPATCH_CALLBACK(post_unpatch, fn)

#define KPATCH_IGNORE_SECTION(name)						\
	static const char *__UNIQUE_ID(kpatch_ignore_section_) __used		\
	__section(".kpatch.ignore.sections") = name

#define KPATCH_IGNORE_FUNCTION(fn)						\
	static void *__kpatch_ignore_func_##fn __used				\
	__section(".kpatch.ignore.functions") = (void *)fn

#define KPATCH_FORCE_UNSAFE(fn)							\
	static void *__kpatch_force_func_##fn __used				\
	__section(".kpatch.force") = (void *)fn

/* printk is __cold: behind a test the compiler cannot decide, its path stays warm. */
#define KPATCH_PRINTK(fmt, ...)							\
	({ if (jiffies) printk(fmt, ##__VA_ARGS__); })

#define KPATCH_STATIC_CALL(name)						\
	((typeof(STATIC_CALL_TRAMP(name)) *)(STATIC_CALL_KEY(name).func))

#endif /* KPATCH_MACROS_H */
