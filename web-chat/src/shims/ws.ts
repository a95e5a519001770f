// The browser's WebSocket behind the `ws` package's interface, as far as ChatClient uses it (web-chat's bundle
// aliases `ws` to this): the constructor's options (TLS, maxPayload) have no browser counterpart and are
// ignored — the DPoP subprotocols carry the device's proof instead of a client certificate.
export default class BrowserWebSocket {
  static readonly OPEN = 1;
  private readonly ws: WebSocket;

  constructor(url: string | URL, protocols?: string | string[] | object, _options?: object) {
    const p = typeof protocols === 'string' || Array.isArray(protocols) ? protocols : undefined;
    this.ws = new globalThis.WebSocket(url, p);
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  on(event: 'open', fn: () => void): this;
  on(event: 'close', fn: (code: number) => void): this;
  on(event: 'message', fn: (data: unknown, isBinary: boolean) => void): this;
  on(event: 'error', fn: (e: Error) => void): this;
  on(event: 'open' | 'close' | 'message' | 'error', fn: (...args: never[]) => void): this {
    const f = fn as (...args: unknown[]) => void;
    if (event === 'message')
      this.ws.addEventListener('message', (e) => f(e.data, typeof e.data !== 'string'));
    else if (event === 'error')
      this.ws.addEventListener('error', () => f(new Error('the chat connection failed')));
    else if (event === 'close') this.ws.addEventListener('close', (e) => f(e.code));
    else this.ws.addEventListener(event, () => f());
    return this;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(): void {
    this.ws.close();
  }
}
