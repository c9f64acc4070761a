// Pins the source-level check that refuses struct and union layout changes:
// what counts as a change of layout, and what does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutChanges, typeDefinitions } from "../../src/patch/layout.js";
const BEFORE = `
/* A comment. */
struct point {
	int x; /* across */
	int y;
};
union value { long l; void *p; };
struct __attribute__((packed)) wire { char c; struct { int a; } inner; };
static int f(struct point *p) { return p->x; }
`;
test("definitions are found with nested braces and attributes, normalised", () => {
    const defs = typeDefinitions(BEFORE);
    assert.deepEqual([...defs.keys()].sort(), ["struct point", "struct wire", "union value"]);
    assert.equal(defs.get("struct point"), "int x; int y;");
});
test("an added, removed or retyped member is a layout change; comments and spacing are not", () => {
    const cases = [
        [BEFORE.replace("int y;", "int y;\n\tint z;"), ["struct point"]],
        [BEFORE.replace("long l;", "int l;"), ["union value"]],
        [BEFORE.replace("int a;", "int a, b;"), ["struct wire"]],
        [BEFORE.replace("/* across */", "/* horizontal */").replace("int y;", "int   y;"), []],
        [BEFORE.replace("return p->x;", "return p->y;"), []],
    ];
    for (const [after, types] of cases)
        assert.deepEqual(layoutChanges("f.c", BEFORE, after).map((c) => c.type), types);
});
test("a layout change names the members added, removed, changed and moved, for the review", () => {
    const after = BEFORE.replace("int y;", "int z;\n\tint y;").replace("long l;", "int l;");
    assert.deepEqual(layoutChanges("f.c", BEFORE, after), [
        { file: "f.c", type: "struct point", added: ["int z"], removed: [], changed: [], moved: [] },
        {
            file: "f.c",
            type: "union value",
            added: [],
            removed: [],
            changed: [["long l", "int l"]],
            moved: [],
        },
    ]);
    // Swapped members both move; a nested definition is one member.
    const [point] = layoutChanges("f.c", BEFORE, BEFORE.replace("int x; /* across */\n\tint y;", "int y;\n\tint x;"));
    assert.deepEqual(point.moved, ["int y", "int x"]);
    const [wire] = layoutChanges("f.c", BEFORE, BEFORE.replace("int a;", "int a, b;"));
    assert.deepEqual(wire.changed, [["struct { int a; } inner", "struct { int a, b; } inner"]]);
});
test("attributes before and after the tag; hostile input is read in linear time", () => {
    const defs = typeDefinitions("struct __packed __aligned(8) a { int x; };\nstruct b __aligned(16) { int y; };\nstruct c *p;\n");
    assert.deepEqual([...defs.entries()], [
        ["struct a", "int x;"],
        ["struct b", "int y;"],
    ]);
    // Once took exponential time in a backtracking regular expression.
    const t0 = Date.now();
    for (const hostile of [
        `struct ${"__a".repeat(5000)} *p;\n`.repeat(20),
        "struct(".repeat(40000),
    ]) {
        assert.deepEqual([...typeDefinitions(hostile).keys()], []);
    }
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
});
//# sourceMappingURL=layout.test.js.map