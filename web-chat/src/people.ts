// People search: the officials this browser's official may start a chat with. `GET /api/v1/directory/people`
// is a device route (the access token and a DPoP proof of this browser's key): identity answers by name — or a
// word of it — or username prefix, within the visibility secure chat applies to group members, a few at a time.
// One person picked is a chat, several a group.

export type Person = {
  userId: string;
  displayName: string;
  designation: string | null;
  institution: string | null;
};

type Http = (request: Request) => Promise<Response>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MIN_QUERY = 2;
const TYPING_MS = 300;

function item(label: string, button: string, onClick: () => void): HTMLLIElement {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = button;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  li.append(b);
  return li;
}

export class PeoplePicker {
  private readonly chosen = new Map<string, Person>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers of older searches that arrive late are dropped. */
  private latest = 0;

  constructor(
    private readonly http: Http,
    private readonly start: (people: Person[]) => Promise<void>,
    private readonly fail: (e: unknown) => void,
  ) {}

  attach(): void {
    const form = $<HTMLFormElement>('new-chat');
    const input = form.elements.namedItem('q') as HTMLInputElement;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clearTimeout(this.timer);
      this.find(input.value).catch(this.fail);
    });
    input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.find(input.value).catch(this.fail), TYPING_MS);
    });
    $<HTMLButtonElement>('start-chat').addEventListener('click', () => {
      $('error').textContent = '';
      this.begin().catch(this.fail);
    });
  }

  private async find(text: string): Promise<void> {
    const q = text.trim();
    const seq = ++this.latest;
    if (q.length < MIN_QUERY) return this.showFound([], q);
    const url = new URL('/api/v1/directory/people', location.href);
    url.searchParams.set('q', q);
    const res = await this.http(new Request(url));
    const body = (await res.json().catch(() => ({}))) as {
      people?: Person[];
      code?: string;
      message?: string;
    };
    if (!res.ok)
      throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), { code: body.code ?? '' });
    if (seq === this.latest) this.showFound(body.people ?? [], q);
  }

  private showFound(people: readonly Person[], q: string): void {
    const list = $('people');
    list.replaceChildren();
    if (q.length >= MIN_QUERY && people.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'Nobody found';
      list.append(li);
    }
    for (const p of people) {
      const where = [p.designation, p.institution].filter(Boolean).join(', ');
      list.append(
        item(`Choose ${p.displayName}`, where ? `${p.displayName} (${where})` : p.displayName, () =>
          this.choose(p),
        ),
      );
    }
  }

  private choose(p: Person): void {
    this.chosen.set(p.userId, p);
    this.showChosen();
  }

  private showChosen(): void {
    const list = $('chosen');
    list.replaceChildren(
      ...[...this.chosen.values()].map((p) =>
        item(`Remove ${p.displayName}`, `${p.displayName} ✕`, () => {
          this.chosen.delete(p.userId);
          this.showChosen();
        }),
      ),
    );
    $<HTMLButtonElement>('start-chat').disabled = this.chosen.size === 0;
  }

  private async begin(): Promise<void> {
    const people = [...this.chosen.values()];
    if (people.length === 0) throw new Error('choose at least one official');
    const button = $<HTMLButtonElement>('start-chat');
    button.disabled = true;
    try {
      await this.start(people);
      this.chosen.clear();
      $('people').replaceChildren();
      $<HTMLFormElement>('new-chat').reset();
    } finally {
      this.showChosen();
    }
  }
}
