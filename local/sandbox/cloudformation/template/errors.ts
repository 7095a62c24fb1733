/**
 * A template or parameter problem CloudFormation reports synchronously, as a `ValidationError`
 * (HTTP 400) with the message verbatim.
 */
export class TemplateError extends Error {
  readonly code = 'ValidationError';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
