export type Json = Record<string, unknown>;

const REF = '#/components/schemas/';

/**
 * The generated document, made readable: fastify-type-provider-zod emits every registered schema twice (an
 * `XInput` and an `X` variant), whether used or not. Keep the components the paths reach, name a request
 * schema `X` rather than `XInput` where no answer is called `X`, describe the notification's cross-field
 * rules, and drop the `readOnly` zod puts on transformed arrays (they are inputs here).
 */
export function tidyDocument(doc: Json, notes: Record<string, string>): Json {
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, Json>;
  const used = reachable(doc.paths, schemas);
  const names = new Map<string, string>();
  for (const id of used) {
    const base = id.endsWith('Input') ? id.slice(0, -'Input'.length) : id;
    names.set(id, base !== id && !used.has(base) ? base : id);
  }
  const kept: Record<string, Json> = {};
  for (const id of used) kept[names.get(id) as string] = schemas[id] as Json;
  const out = rename({ ...doc, components: { ...components, schemas: kept } }, names) as Json;
  const tidied = (out.components as { schemas: Record<string, Json> }).schemas;
  const properties = (tidied.Notification?.properties ?? {}) as Record<string, Json>;
  for (const [field, note] of Object.entries(notes)) {
    if (properties[field]) properties[field].description = note;
  }
  // The header only checks that it is an object (createCampaign checks the rest); document what it holds.
  const header = (tidied.CampaignHeader?.properties ?? {}) as Record<string, Json>;
  if (header.notification && tidied.Notification) {
    header.notification = { allOf: [{ $ref: `${REF}Notification` }], description: 'The notification without openIds (the recipients supply them)' };
  }
  return out;
}

/** Component ids referenced from `root`, directly or through other components. */
function reachable(root: unknown, schemas: Record<string, unknown>): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF)) {
        const id = value.slice(REF.length);
        if (!seen.has(id) && id in schemas) {
          seen.add(id);
          visit(schemas[id]);
        }
      } else visit(value);
    }
  };
  visit(root);
  return seen;
}

function rename(node: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rename(n, names));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'readOnly') continue;
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith(REF)
        ? `${REF}${names.get(value.slice(REF.length)) ?? value.slice(REF.length)}`
        : rename(value, names);
  }
  return out;
}
