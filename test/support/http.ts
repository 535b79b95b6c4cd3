/** A JSON request over real HTTP to `baseUrl`; the answer's status and parsed body. */
export async function requestJson(
  baseUrl: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: callers check answers field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
