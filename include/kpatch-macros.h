/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For patches built by kpatch-build: #include "kpatch-macros.h" in a patched
 * file to run code when the patch is applied to, or removed from, the object
 * (vmlinux or a module) that file is compiled into. kpatch-build makes each
 * callback the klp_object's callback (Documentation/livepatch/callbacks.rst):
 *
 *   pre_patch     before the object is patched; a non-zero return refuses
 *                 the patch (or the module's load), and nothing is patched
 *   post_patch    after the object is patched
 *   pre_unpatch   before the patch is removed from the object
 *   post_unpatch  after it is removed, e.g. to free shadow variables
 *                 (klp_shadow_free_all)
 *
 * At most one of each kind per patched object. The macros only record the
 * function in a section kpatch-build reads; the patch module's glue does
 * the rest.
 */
#ifndef KPATCH_MACROS_H
#define KPATCH_MACROS_H

#include <linux/compiler.h>
#include <linux/livepatch.h>

typedef int (*kpatch_pre_patch_call_t)(struct klp_object *obj);
typedef void (*kpatch_post_patch_call_t)(struct klp_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(struct klp_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(struct klp_object *obj);

#define KPATCH_CALLBACK(kind, fn) \
	static kpatch_##kind##_call_t __kpatch_##kind##_##fn \
	__section(".kpatch.callbacks." #kind) __used = fn

#define KPATCH_PRE_PATCH_CALLBACK(fn) KPATCH_CALLBACK(pre_patch, fn)
#define KPATCH_POST_PATCH_CALLBACK(fn) KPATCH_CALLBACK(post_patch, fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) KPATCH_CALLBACK(pre_unpatch, fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn) KPATCH_CALLBACK(post_unpatch, fn)

#endif /* KPATCH_MACROS_H */
