/** How a request is authorised, as a plug-in of the API client (no DOM here: the signer is unit-tested in Node). */
export interface OutgoingRequest {
  method: string;
  /** Absolute URL. */
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Turns a request into an authorised one (adds headers); may refresh credentials first. */
export type Signer = (req: OutgoingRequest) => Promise<OutgoingRequest>;
