//! Plain-Rust convolution and pooling, written to be read, not to be fast.
//!
//! This is what the page explains (every output cell can be traced back to its window, its
//! element-wise products and their sum) and the oracle the tests hold tract to. Sums run in the
//! fixed order channel, row, column, so a trace's `sum` is bit-identical to the value
//! [`conv2d`] returns for that cell.

use std::ops::Range;

use anyhow::{ensure, Result};

use crate::geometry::{shape_text, Geometry};
use crate::ops::{Conv2d, Output, Pool2d, PoolMode};

/// One term of a convolution sum: `input · weight = product`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// Input channel.
    pub channel: usize,
    /// Kernel row and column.
    pub ky: usize,
    /// Kernel column.
    pub kx: usize,
    /// Input row read; negative or `>= h` means padding.
    pub y: isize,
    /// Input column read; negative or `>= w` means padding.
    pub x: isize,
    /// The input value (0 in the padding).
    pub input: f32,
    /// The kernel weight.
    pub weight: f32,
    /// `input · weight`.
    pub product: f32,
    /// Whether `(y, x)` lies in the zero padding.
    pub in_padding: bool,
}

/// How one filter produced one output cell.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterTrace {
    /// Filter index `k`.
    pub filter: usize,
    /// `c · f_h · f_w` terms in channel, row, column order.
    pub terms: Vec<Term>,
    /// The filter's bias (0 without bias).
    pub bias: f32,
    /// `bias + Σ products`, before any ReLU.
    pub sum: f32,
    /// The cell's value: `sum`, or `max(0, sum)` with ReLU.
    pub output: f32,
}

/// The window of one output cell in input coordinates (may reach into the padding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Input rows `top .. top + height`.
    pub rows: Range<isize>,
    /// Input columns `left .. left + width`.
    pub cols: Range<isize>,
}

/// The explanation of one output cell `(out_y, out_x)` for every filter.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvTrace {
    /// Output row.
    pub out_y: usize,
    /// Output column.
    pub out_x: usize,
    /// The receptive field of the cell (from [`Geometry::receptive_field`]).
    pub window: Window,
    /// One trace per filter.
    pub filters: Vec<FilterTrace>,
}

/// The window of an output cell known to be inside the output.
fn cell_window(geometry: &Geometry, out_y: usize, out_x: usize) -> Window {
    Window {
        rows: geometry.axes[0].window(out_y),
        cols: geometry.axes[1].window(out_x),
    }
}

/// The window of any requested cell: errors when it is outside the output.
fn window_of(geometry: &Geometry, out_y: usize, out_x: usize) -> Result<Window> {
    geometry.receptive_field(&[out_y, out_x])?;
    Ok(cell_window(geometry, out_y, out_x))
}

/// Reads `input[c][y][x]` of a `[c, h, w]` tensor, or `None` in the padding.
fn read(input: &[f32], [_, h, w]: [usize; 3], c: usize, y: isize, x: isize) -> Option<f32> {
    if y < 0 || x < 0 || y >= h as isize || x >= w as isize {
        return None;
    }
    Some(input[(c * h + y as usize) * w + x as usize])
}

/// Calls `visit` with every term of filter `k` at the cell whose window is `window`, in channel,
/// row, column order.
fn for_each_term(conv: &Conv2d, k: usize, window: &Window, mut visit: impl FnMut(Term)) {
    let [_, c, fh, fw] = conv.weight_shape;
    for channel in 0..c {
        for ky in 0..fh {
            for kx in 0..fw {
                let y = window.rows.start + ky as isize;
                let x = window.cols.start + kx as isize;
                let value = read(conv.input, conv.input_shape, channel, y, x);
                let weight = conv.weight[((k * c + channel) * fh + ky) * fw + kx];
                let input = value.unwrap_or(0.0);
                visit(Term {
                    channel,
                    ky,
                    kx,
                    y,
                    x,
                    input,
                    weight,
                    product: input * weight,
                    in_padding: value.is_none(),
                });
            }
        }
    }
}

fn finish(conv: &Conv2d, k: usize, products: f32) -> (f32, f32, f32) {
    let bias = conv.bias.map_or(0.0, |b| b[k]);
    let sum = products + bias;
    let output = if conv.relu { sum.max(0.0) } else { sum };
    (bias, sum, output)
}

/// The convolution described by `conv` (see [`Conv2d`] for the formula), computed by the
/// definition. Returns `[k, h', w']`.
pub fn conv2d(conv: &Conv2d) -> Result<Output> {
    let geometry = conv.validate()?;
    let shape = conv.output_shape(&geometry);
    let (filters, oh, ow) = (shape[0], shape[1], shape[2]);
    let mut data = Vec::with_capacity(filters * oh * ow);
    for k in 0..filters {
        for oy in 0..oh {
            for ox in 0..ow {
                let window = cell_window(&geometry, oy, ox);
                let mut products = 0.0f32;
                for_each_term(conv, k, &window, |t| products += t.product);
                data.push(finish(conv, k, products).2);
            }
        }
    }
    Ok(Output { shape, data })
}

/// The explanation of output cell `(out_y, out_x)` of [`conv2d`]: its window and, for every
/// filter, the `c · f_h · f_w` products, the bias, the sum and the output. Errors when the cell is
/// outside the output.
pub fn conv2d_trace(conv: &Conv2d, out_y: usize, out_x: usize) -> Result<ConvTrace> {
    let geometry = conv.validate()?;
    let window = window_of(&geometry, out_y, out_x)?;
    let filters = (0..conv.weight_shape[0])
        .map(|k| {
            let mut terms = Vec::new();
            let mut products = 0.0f32;
            for_each_term(conv, k, &window, |t| {
                products += t.product;
                terms.push(t);
            });
            let (bias, sum, output) = finish(conv, k, products);
            FilterTrace {
                filter: k,
                terms,
                bias,
                sum,
                output,
            }
        })
        .collect();
    Ok(ConvTrace {
        out_y,
        out_x,
        window,
        filters,
    })
}

/// How one pooling output cell was computed, for one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolTrace {
    /// Channel.
    pub channel: usize,
    /// Output row.
    pub out_y: usize,
    /// Output column.
    pub out_x: usize,
    /// The window in input coordinates (may reach into the padding).
    pub window: Window,
    /// `(y, x, value)` of every window position inside the input, row by row; padding is skipped.
    pub values: Vec<(isize, isize, f32)>,
    /// The pooled value.
    pub output: f32,
    /// For max pooling, the input position of the first largest value (row-major order).
    pub argmax: Option<(isize, isize)>,
}

fn pool_cell(pool: &Pool2d, window: Window, c: usize, oy: usize, ox: usize) -> PoolTrace {
    let mut values = Vec::new();
    for y in window.rows.clone() {
        for x in window.cols.clone() {
            if let Some(v) = read(pool.input, pool.input_shape, c, y, x) {
                values.push((y, x, v));
            }
        }
    }
    // validate() keeps padding smaller than the window, so every window has an input value.
    let (output, argmax) = match pool.mode {
        PoolMode::Max => {
            let mut best = values[0];
            for &v in &values[1..] {
                if v.2 > best.2 {
                    best = v;
                }
            }
            (best.2, Some((best.0, best.1)))
        }
        PoolMode::Average => {
            let sum: f32 = values.iter().map(|v| v.2).sum();
            (sum / values.len() as f32, None)
        }
    };
    PoolTrace {
        channel: c,
        out_y: oy,
        out_x: ox,
        window,
        values,
        output,
        argmax,
    }
}

/// Max or average pooling of every channel (see [`Pool2d`]), by the definition. Returns
/// `[c, h', w']`.
pub fn pool2d(pool: &Pool2d) -> Result<Output> {
    let geometry = pool.validate()?;
    let shape = pool.output_shape(&geometry);
    let mut data = Vec::with_capacity(shape.iter().product());
    for c in 0..shape[0] {
        for oy in 0..shape[1] {
            for ox in 0..shape[2] {
                data.push(pool_cell(pool, cell_window(&geometry, oy, ox), c, oy, ox).output);
            }
        }
    }
    Ok(Output { shape, data })
}

/// The explanation of output cell `(out_y, out_x)` of channel `channel` of [`pool2d`]: the window,
/// the values it read, the result and (max pooling) the argmax.
pub fn pool2d_trace(
    pool: &Pool2d,
    channel: usize,
    out_y: usize,
    out_x: usize,
) -> Result<PoolTrace> {
    let geometry = pool.validate()?;
    let channels = pool.input_shape[0];
    ensure!(
        channel < channels,
        "channel {channel} is outside the input's {channels} channels (shape {})",
        shape_text(&pool.input_shape)
    );
    let window = window_of(&geometry, out_y, out_x)?;
    Ok(pool_cell(pool, window, channel, out_y, out_x))
}

/// Largest `|a[i] - b[i]|`, for cross-checking tract against this reference. Errors when the
/// lengths differ.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> Result<f32> {
    ensure!(
        a.len() == b.len(),
        "cannot compare {} values with {}",
        a.len(),
        b.len()
    );
    Ok(a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max))
}
