//! Plain-Rust convolution and pooling over 1, 2 or 3 spatial axes, written to be read, not to be
//! fast.
//!
//! This is what the page explains (every output cell can be traced back to its window, its
//! element-wise products and their sum) and the oracle the tests hold tract to. Sums run in the
//! fixed order channel, then kernel positions in row-major order, so a trace's `sum` is
//! bit-identical to the value [`conv`] returns for that cell.

use std::ops::Range;

use anyhow::{ensure, Result};

use crate::core::geometry::{shape_text, Geometry};
use crate::core::ops::{Conv, Output, Pool, PoolMode, MAX_RANK};

/// One term of a convolution sum: `input · weight = product`.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// Input channel.
    pub channel: usize,
    /// Position in the kernel, one index per spatial axis (`[i, j]` in 2D).
    pub kernel: Vec<usize>,
    /// Input position read, one coordinate per spatial axis (`[y, x]` in 2D); a coordinate below
    /// 0 or at/after the input size means padding.
    pub at: Vec<isize>,
    /// The input value (0 in the padding).
    pub input: f32,
    /// The kernel weight.
    pub weight: f32,
    /// `input · weight`.
    pub product: f32,
    /// Whether `at` lies in the zero padding.
    pub in_padding: bool,
}

/// How one filter produced one output cell.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterTrace {
    /// Filter index `k`.
    pub filter: usize,
    /// `c · Π kernel` terms, channel first, then kernel positions in row-major order.
    pub terms: Vec<Term>,
    /// The filter's bias (0 without bias).
    pub bias: f32,
    /// `bias + Σ products`, before any ReLU.
    pub sum: f32,
    /// The cell's value: `sum`, or `max(0, sum)` with ReLU.
    pub output: f32,
}

/// The window of one output cell in input coordinates (may reach into the padding): one range per
/// spatial axis, outer to inner (`[rows, columns]` in 2D).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Input coordinates read along each spatial axis.
    pub axes: Vec<Range<isize>>,
}

impl Window {
    /// The part of the window inside an input of spatial sizes `spatial`: per axis, the
    /// coordinates that are not padding (empty when the window lies wholly in the padding).
    pub fn inside(&self, spatial: &[usize]) -> Vec<Range<isize>> {
        self.axes
            .iter()
            .zip(spatial)
            .map(|(r, &n)| {
                let start = r.start.clamp(0, n as isize);
                start..r.end.clamp(start, n as isize)
            })
            .collect()
    }
}

/// The explanation of one output cell for every filter.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvTrace {
    /// The output position, one index per spatial axis.
    pub at: Vec<usize>,
    /// The receptive field of the cell (from [`Geometry::receptive_field`]).
    pub window: Window,
    /// One trace per filter.
    pub filters: Vec<FilterTrace>,
}

/// The window of an output position known to be inside the output, as a fixed array.
fn cell_window(geometry: &Geometry, at: &[usize]) -> [Range<isize>; MAX_RANK] {
    let mut window = [0..1, 0..1, 0..1];
    for (a, axis) in geometry.axes.iter().enumerate() {
        window[a] = axis.window(at[a]);
    }
    window
}

/// Calls `visit(kernel position, input position, flat input index or None in the padding)` for
/// every position of `window` over spatial sizes `spatial`, in row-major order.
fn for_each_position(
    window: &[Range<isize>],
    spatial: &[usize],
    mut visit: impl FnMut(&[usize], &[isize], Option<usize>),
) {
    let rank = window.len();
    let mut kernel = [0usize; MAX_RANK];
    let mut at = [0isize; MAX_RANK];
    loop {
        let mut flat = Some(0usize);
        for a in 0..rank {
            at[a] = window[a].start + kernel[a] as isize;
            let inside = at[a] >= 0 && (at[a] as usize) < spatial[a];
            flat = flat
                .filter(|_| inside)
                .map(|f| f * spatial[a] + at[a] as usize);
        }
        visit(&kernel[..rank], &at[..rank], flat);
        // Advance the innermost axis, carrying into outer ones.
        let mut a = rank;
        loop {
            if a == 0 {
                return;
            }
            a -= 1;
            kernel[a] += 1;
            if (kernel[a] as isize) < window[a].end - window[a].start {
                break;
            }
            kernel[a] = 0;
        }
    }
}

/// Calls `visit(channel, kernel position, input position, input value or None, weight)` for every
/// term of filter `k` over `window`: channel first, then kernel positions in row-major order.
fn for_each_term(
    conv: &Conv,
    k: usize,
    window: &[Range<isize>],
    mut visit: impl FnMut(usize, &[usize], &[isize], Option<f32>, f32),
) {
    let c = conv.weight_shape[1];
    let spatial = &conv.input_shape[1..];
    let input_len: usize = spatial.iter().product();
    let kernel_len: usize = conv.weight_shape[2..].iter().product();
    for channel in 0..c {
        let input = &conv.input[channel * input_len..(channel + 1) * input_len];
        let weights = &conv.weight[(k * c + channel) * kernel_len..][..kernel_len];
        let mut i = 0;
        for_each_position(window, spatial, |kernel, at, flat| {
            visit(channel, kernel, at, flat.map(|f| input[f]), weights[i]);
            i += 1;
        });
    }
}

fn finish(conv: &Conv, k: usize, products: f32) -> (f32, f32, f32) {
    let bias = conv.bias.map_or(0.0, |b| b[k]);
    let sum = products + bias;
    let output = if conv.relu { sum.max(0.0) } else { sum };
    (bias, sum, output)
}

/// Calls `visit(position)` for every output position of `geometry`, in row-major order.
fn for_each_output(geometry: &Geometry, mut visit: impl FnMut(&[usize])) {
    let rank = geometry.axes.len();
    let full: Vec<Range<isize>> = geometry.axes.iter().map(|a| 0..a.output as isize).collect();
    let sizes = geometry.output_shape();
    for_each_position(&full, &sizes, |at, _, _| visit(&at[..rank]));
}

/// The convolution described by `conv` (see [`Conv`] for the formula), computed by the
/// definition. Returns `[k, spatial'…]`, e.g. `[k, h', w']` in 2D.
pub fn conv(conv: &Conv) -> Result<Output> {
    let geometry = conv.validate()?;
    let shape = conv.output_shape(&geometry);
    let rank = geometry.axes.len();
    let mut data = Vec::with_capacity(shape.iter().product());
    for k in 0..shape[0] {
        for_each_output(&geometry, |at| {
            let window = cell_window(&geometry, at);
            let mut products = 0.0f32;
            for_each_term(conv, k, &window[..rank], |_, _, _, input, weight| {
                products += input.unwrap_or(0.0) * weight;
            });
            data.push(finish(conv, k, products).2);
        });
    }
    Ok(Output { shape, data })
}

/// The explanation of output cell `at` (one index per spatial axis) of [`conv`]: its window and,
/// for every filter, the `c · Π kernel` products, the bias, the sum and the output. Errors when the
/// cell is outside the output.
pub fn conv_trace(conv: &Conv, at: &[usize]) -> Result<ConvTrace> {
    let geometry = conv.validate()?;
    let axes = geometry.receptive_field(at)?;
    let filters = (0..conv.weight_shape[0])
        .map(|k| {
            let mut terms = Vec::new();
            let mut products = 0.0f32;
            for_each_term(conv, k, &axes, |channel, kernel, pos, value, weight| {
                let input = value.unwrap_or(0.0);
                let product = input * weight;
                products += product;
                terms.push(Term {
                    channel,
                    kernel: kernel.to_vec(),
                    at: pos.to_vec(),
                    input,
                    weight,
                    product,
                    in_padding: value.is_none(),
                });
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
        at: at.to_vec(),
        window: Window { axes },
        filters,
    })
}

/// How one pooling output cell was computed, for one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolTrace {
    /// Channel.
    pub channel: usize,
    /// The output position, one index per spatial axis.
    pub at: Vec<usize>,
    /// The window in input coordinates (may reach into the padding).
    pub window: Window,
    /// `(position, value)` of every window position inside the input, in row-major order;
    /// padding is skipped.
    pub values: Vec<(Vec<isize>, f32)>,
    /// The pooled value.
    pub output: f32,
    /// For max pooling, the input position of the first largest value (row-major order).
    pub argmax: Option<Vec<isize>>,
}

/// The pooled value of `channel` over `window` and, for max pooling, the position of the first
/// largest value; `record` sees every value read.
fn pool_cell(
    pool: &Pool,
    channel: usize,
    window: &[Range<isize>],
    mut record: impl FnMut(&[isize], f32),
) -> (f32, Option<usize>) {
    let spatial = &pool.input_shape[1..];
    let len: usize = spatial.iter().product();
    let input = &pool.input[channel * len..(channel + 1) * len];
    let (mut best, mut best_i, mut sum, mut count) = (f32::NEG_INFINITY, None, 0.0f32, 0usize);
    for_each_position(window, spatial, |_, at, flat| {
        if let Some(f) = flat {
            let v = input[f];
            if best_i.is_none() || v > best {
                (best, best_i) = (v, Some(count));
            }
            sum += v;
            count += 1;
            record(at, v);
        }
    });
    // validate() keeps padding smaller than the window, so every window has an input value.
    match pool.mode {
        PoolMode::Max => (best, best_i),
        PoolMode::Average => (sum / count as f32, None),
    }
}

/// Max or average pooling of every channel (see [`Pool`]), by the definition. Returns
/// `[c, spatial'…]`.
pub fn pool(pool: &Pool) -> Result<Output> {
    let geometry = pool.validate()?;
    let shape = pool.output_shape(&geometry);
    let rank = geometry.axes.len();
    let mut data = Vec::with_capacity(shape.iter().product());
    for c in 0..shape[0] {
        for_each_output(&geometry, |at| {
            let window = cell_window(&geometry, at);
            data.push(pool_cell(pool, c, &window[..rank], |_, _| {}).0);
        });
    }
    Ok(Output { shape, data })
}

/// The explanation of output cell `at` of channel `channel` of [`pool`]: the window, the values it
/// read, the result and (max pooling) the argmax.
pub fn pool_trace(pool: &Pool, channel: usize, at: &[usize]) -> Result<PoolTrace> {
    let geometry = pool.validate()?;
    let channels = pool.input_shape[0];
    ensure!(
        channel < channels,
        "channel {channel} is outside the input's {channels} channels (shape {})",
        shape_text(pool.input_shape)
    );
    let axes = geometry.receptive_field(at)?;
    let mut values = Vec::new();
    let (output, argmax) = pool_cell(pool, channel, &axes, |pos, v| {
        values.push((pos.to_vec(), v))
    });
    Ok(PoolTrace {
        channel,
        at: at.to_vec(),
        argmax: argmax.map(|i| values[i].0.clone()),
        window: Window { axes },
        values,
        output,
    })
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
