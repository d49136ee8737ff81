// Helpers shared by the end-to-end tests: reading grids and canvases, moving sliders.

/** A grid's cells as rows of numbers; `cell` selects the cells inside the grid (data-cols set). */
export async function readGrid(page, id, cell) {
  return page.$eval(id, (grid, sel) => {
    const cols = Number(grid.dataset.cols);
    const values = [...grid.querySelectorAll(sel)].map((b) => Number(b.textContent));
    return Array.from({ length: values.length / cols }, (_, r) => values.slice(r * cols, (r + 1) * cols));
  }, cell);
}

/** Sets a range input and fires its `input` event, as dragging it does. */
export async function slide(page, id, value) {
  await page.$eval(id, (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, value);
}

/** The RGBA colour of canvas pixel (x, y). */
export async function pixel(page, id, x, y) {
  return page.$eval(id, (c, [px, py]) => [...c.getContext('2d').getImageData(px, py, 1, 1).data], [x, y]);
}

export const RED = [214, 69, 65, 255];
export const WHITE = [255, 255, 255, 255];
