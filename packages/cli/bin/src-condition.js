// A module loader hook (node:module register): resolve with the "tooltune-src" export condition,
// so @tooltune/* packages load their TypeScript sources (see tooltune.js).
export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "tooltune-src"] });
}
