import { STATUS_CODES } from 'node:http';
import { type ErrorCode, LabError, toLabError } from '../errors.ts';

/** The JSON body of every API error. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
  message: string;
}

/** Fastify's own error codes for bad input, mapped onto ours (so bad input never becomes a 5xx). */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'LAB_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'LAB_ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'LAB_ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'LAB_ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'LAB_ERR_BAD_REQUEST',
  FST_ERR_BAD_URL: 'LAB_ERR_BAD_REQUEST',
  // Only /api/v1/jobs/:scenario has a path parameter: a name past fastify's maxParamLength
  // (100) is no scenario's.
  FST_ERR_MAX_PARAM_LENGTH: 'LAB_ERR_SCENARIO_UNKNOWN',
  FST_ERR_ASYNC_CONSTRAINT: 'LAB_ERR_BAD_REQUEST',
  FST_ERR_VALIDATION: 'LAB_ERR_PARAM_INVALID',
};

export function toApiError(error: unknown): LabError {
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && Object.hasOwn(FASTIFY_CODES, fastifyCode)) {
    return new LabError(FASTIFY_CODES[fastifyCode]!, (error as Error).message, { cause: error });
  }
  // Any other client error the framework raised (4xx) stays a client error.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (!(error instanceof LabError) && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new LabError(statusCode === 413 ? 'LAB_ERR_BODY_TOO_LARGE' : 'LAB_ERR_BAD_REQUEST', (error as Error).message, { cause: error });
  }
  return toLabError(error);
}

export function errorBody(error: LabError): ErrorBody {
  return { error: STATUS_CODES[error.statusCode] ?? 'Error', code: error.code, message: error.message };
}
