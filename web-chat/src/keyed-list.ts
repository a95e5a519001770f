/**
 * Redraws a list in place, keyed: the element of an item still listed stays the same element (brought up to
 * date by `update`), new items get one from `make`, and items gone are removed, the order as given.
 *
 * Replacing every element at each redraw loses clicks: a click is a mousedown and a mouseup on one element, and
 * when the element under the pointer is replaced between the two (a message arriving while the official clicks a
 * conversation, say) the browser fires the click on no button — the official's click does nothing.
 */
export function renderKeyed<T>(
  list: HTMLElement,
  items: readonly T[],
  key: (item: T) => string,
  make: (item: T) => HTMLElement,
  update: (element: HTMLElement, item: T) => void = () => undefined,
): void {
  const kept = new Map<string, HTMLElement>();
  for (let e = list.firstElementChild; e; e = e.nextElementSibling) {
    const k = (e as HTMLElement).dataset.key;
    if (k !== undefined && !kept.has(k)) kept.set(k, e as HTMLElement);
  }
  // The children before `at` are the items drawn so far, in order; from `at` on, what is left to place.
  let at = list.firstElementChild;
  for (const item of items) {
    const k = key(item);
    let element = kept.get(k);
    if (element) kept.delete(k);
    else {
      element = make(item);
      element.dataset.key = k;
    }
    update(element, item);
    if (element === at) at = at.nextElementSibling;
    else list.insertBefore(element, at);
  }
  while (at) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
}
