// Outcomes of a diff that are not a patch, as values with a kind the CLI maps
// to an exit status (kpatch's create-diff-object convention).
export type DiffErrorKind = "error" | "unsafe" | "no-change";

export const EXIT_STATUS: Record<DiffErrorKind, number> = { error: 1, unsafe: 2, "no-change": 3 };

export class DiffError extends Error {
  constructor(
    readonly kind: DiffErrorKind,
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length ? `${message}\n${details.map((d) => `  ${d}`).join("\n")}` : message);
    this.name = "DiffError";
  }
}
