//! The one source of truth for convolution and pooling geometry.
//!
//! Every widget, the reference implementation, the ONNX graph builder and the tests ask this module
//! for output sizes, paddings and receptive fields; nothing else re-derives
//! `floor((n + 2p - f) / s) + 1`.
//!
//! Conventions: spatial axes are listed outer to inner (`[h, w]` for images, `[d, h, w]` for
//! volumes, `[n]` for signals), matching the trailing axes of an NCHW / NCDHW tensor. "Before" is
//! top or left, "after" is bottom or right.

use std::ops::Range;

use anyhow::{bail, ensure, Context, Result};

/// Largest spatial side the playground accepts (pixels, samples or voxels along one axis).
/// User images above it are downscaled by the page before they reach the core.
pub const MAX_SIDE: usize = 4096;

/// Largest number of values one tensor may hold: 2^26 `f32`s = 256 MiB, a quarter of what a wasm32
/// module can address.
pub const MAX_ELEMENTS: usize = 1 << 26;

/// Zeros added on each side of one spatial axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AxisPad {
    /// Zeros before the first element (top, left or front).
    pub before: usize,
    /// Zeros after the last element (bottom, right or back).
    pub after: usize,
}

impl AxisPad {
    /// `p` zeros on both sides.
    pub fn symmetric(p: usize) -> Self {
        AxisPad {
            before: p,
            after: p,
        }
    }

    /// `before + after`.
    pub fn total(&self) -> usize {
        self.before + self.after
    }
}

/// How the input is padded before the kernel slides over it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Padding {
    /// No padding ("valid" convolution): `out = floor((n - f) / s) + 1`.
    Valid,
    /// "Same" padding: `out = ceil(n / s)`, which is `n` for stride 1. The total padding
    /// `max((out - 1)·s + f - n, 0)` is split with the smaller half before (ONNX `SAME_UPPER`,
    /// TensorFlow `SAME`); for stride 1 and odd `f` both sides get the course's `p = (f - 1) / 2`.
    Same,
    /// "Same" padding with the larger half before (ONNX `SAME_LOWER`): same output size as
    /// [`Padding::Same`], `before = total - total / 2`.
    SameLower,
    /// `p` zeros on every side of every spatial axis.
    Uniform(usize),
    /// Explicit zeros per spatial axis, outer to inner (`[rows, columns]` for images).
    PerAxis(Vec<AxisPad>),
}

impl Padding {
    /// The padding of spatial axis `axis` (of `rank` spatial axes) for input size `n`, kernel `f`
    /// and stride `s`.
    ///
    /// Errors when `PerAxis` does not list `rank` axes, or when `s` is 0 for `Same`.
    pub fn resolve(
        &self,
        axis: usize,
        rank: usize,
        n: usize,
        f: usize,
        s: usize,
    ) -> Result<AxisPad> {
        Ok(match self {
            Padding::Valid => AxisPad::default(),
            Padding::Uniform(p) => AxisPad::symmetric(*p),
            Padding::Same => same_padding(n, f, s)?,
            Padding::SameLower => {
                let upper = same_padding(n, f, s)?;
                AxisPad {
                    before: upper.after,
                    after: upper.before,
                }
            }
            Padding::PerAxis(pads) => {
                ensure!(
                    pads.len() == rank,
                    "padding lists {} axes but the input has {} spatial axes",
                    pads.len(),
                    rank
                );
                pads[axis]
            }
        })
    }
}

/// Output size along one axis: `floor((n + before + after - f) / s) + 1`.
///
/// With symmetric padding `p` this is the course's `floor((n + 2p - f) / s) + 1`. Errors, naming
/// the numbers, when `n`, `f` or `s` is 0 or when the kernel is larger than the padded input.
pub fn output_size(n: usize, f: usize, pad: AxisPad, s: usize) -> Result<usize> {
    ensure!(n >= 1, "input size must be at least 1, got {n}");
    ensure!(f >= 1, "kernel size must be at least 1, got {f}");
    ensure!(s >= 1, "stride must be at least 1, got {s}");
    ensure!(
        n <= MAX_SIDE,
        "input size {n} exceeds the limit of {MAX_SIDE}"
    );
    ensure!(
        pad.before <= MAX_SIDE && pad.after <= MAX_SIDE,
        "padding {}+{} exceeds the limit of {MAX_SIDE} per side",
        pad.before,
        pad.after
    );
    let padded = n + pad.total();
    if f > padded {
        if pad.total() == 0 {
            bail!("kernel {f} larger than input {n}");
        }
        bail!(
            "kernel {f} larger than padded input {padded} (input {n} + padding {} + {})",
            pad.before,
            pad.after
        );
    }
    Ok((padded - f) / s + 1)
}

/// [`output_size`] with `p` zeros on both sides: `floor((n + 2p - f) / s) + 1`.
pub fn output_size_symmetric(n: usize, f: usize, p: usize, s: usize) -> Result<usize> {
    output_size(n, f, AxisPad::symmetric(p), s)
}

/// The formula of [`output_size_symmetric`] with its numbers filled in, e.g.
/// `⌊(6 + 2·1 − 3) / 2⌋ + 1 = 3`, for the page to print next to a widget.
pub fn output_size_formula(n: usize, f: usize, p: usize, s: usize) -> Result<String> {
    let out = output_size_symmetric(n, f, p, s)?;
    let numerator = n + 2 * p - f;
    Ok(format!(
        "⌊({n} + 2·{p} − {f}) / {s}⌋ + 1 = ⌊{numerator} / {s}⌋ + 1 = {out}"
    ))
}

/// "Same" padding for input `n`, kernel `f`, stride `s`: the output is `ceil(n / s)` and the total
/// padding `max((out - 1)·s + f - n, 0)` is split `before = total / 2`, `after = total - before`.
pub fn same_padding(n: usize, f: usize, s: usize) -> Result<AxisPad> {
    ensure!(s >= 1, "stride must be at least 1, got {s}");
    ensure!(f >= 1, "kernel size must be at least 1, got {f}");
    for (what, v) in [("input size", n), ("kernel size", f), ("stride", s)] {
        ensure!(v <= MAX_SIDE, "{what} {v} exceeds the limit of {MAX_SIDE}");
    }
    let out = n.div_ceil(s);
    let total = ((out.max(1) - 1) * s + f).saturating_sub(n);
    let before = total / 2;
    Ok(AxisPad {
        before,
        after: total - before,
    })
}

/// The extent of a kernel of `f` taps with dilation `d` (`d − 1` zeros between taps):
/// `d·(f − 1) + 1`; `f` itself for `d = 1`. Errors when `f` or `d` is 0 or the extent passes
/// [`MAX_SIDE`].
pub fn dilated_kernel(f: usize, d: usize) -> Result<usize> {
    ensure!(f >= 1, "kernel size must be at least 1, got {f}");
    ensure!(d >= 1, "dilation must be at least 1, got {d}");
    let extent = d
        .checked_mul(f - 1)
        .and_then(|e| e.checked_add(1))
        .filter(|&e| e <= MAX_SIDE);
    extent.with_context(|| {
        format!("a kernel of {f} with dilation {d} spans more than {MAX_SIDE} inputs")
    })
}

/// The geometry of one spatial axis of a convolution or pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisGeometry {
    /// Input size `n`.
    pub input: usize,
    /// Kernel (window) size `f`.
    pub kernel: usize,
    /// Zeros before and after.
    pub pad: AxisPad,
    /// Stride `s`.
    pub stride: usize,
    /// Output size `floor((n + before + after - f) / s) + 1`.
    pub output: usize,
}

impl AxisGeometry {
    /// Validates and computes one axis; see [`output_size`] for the formula and the errors.
    pub fn new(input: usize, kernel: usize, pad: AxisPad, stride: usize) -> Result<Self> {
        let output = output_size(input, kernel, pad, stride)?;
        Ok(AxisGeometry {
            input,
            kernel,
            pad,
            stride,
            output,
        })
    }

    /// Input coordinates read by output position `o`: `o·s - before .. o·s - before + f`.
    /// Coordinates below 0 or at/after `n` are padding.
    pub fn window(&self, o: usize) -> Range<isize> {
        let start = (o * self.stride) as isize - self.pad.before as isize;
        start..start + self.kernel as isize
    }

    /// For every input position `0..n`, how many output windows read it: the border pixels of a
    /// valid convolution are read by fewer windows than the centre ones (lecture 04), which padding
    /// evens out.
    pub fn coverage(&self) -> Vec<usize> {
        let mut counts = vec![0; self.input];
        for o in 0..self.output {
            for i in self.window(o) {
                if let Some(c) = usize::try_from(i).ok().and_then(|i| counts.get_mut(i)) {
                    *c += 1;
                }
            }
        }
        counts
    }

    /// Padded-input positions no window reaches because the stride does not tile:
    /// `(n + before + after - f) mod s`, all at the after-end.
    pub fn uncovered(&self) -> usize {
        (self.input + self.pad.total() - self.kernel) % self.stride
    }
}

/// The geometry of a convolution or pooling over one or more spatial axes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// One entry per spatial axis, outer to inner.
    pub axes: Vec<AxisGeometry>,
}

impl Geometry {
    /// Geometry for spatial input sizes `input`, kernel sizes `kernel` and strides `stride` (one
    /// entry per axis, outer to inner) with `padding`.
    ///
    /// Errors when the lists disagree in length or any axis is invalid (see [`output_size`]).
    pub fn new(
        input: &[usize],
        kernel: &[usize],
        padding: &Padding,
        stride: &[usize],
    ) -> Result<Self> {
        let rank = input.len();
        ensure!(rank >= 1, "at least one spatial axis is needed");
        ensure!(
            kernel.len() == rank && stride.len() == rank,
            "input has {rank} spatial axes but the kernel has {} and the stride {}",
            kernel.len(),
            stride.len()
        );
        let axes = (0..rank)
            .map(|a| {
                let pad = padding.resolve(a, rank, input[a], kernel[a], stride[a])?;
                AxisGeometry::new(input[a], kernel[a], pad, stride[a])
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Geometry { axes })
    }

    /// Output sizes, outer to inner.
    pub fn output_shape(&self) -> Vec<usize> {
        self.axes.iter().map(|a| a.output).collect()
    }

    /// Number of output positions (product of [`Geometry::output_shape`]).
    pub fn output_len(&self) -> usize {
        self.axes.iter().map(|a| a.output).product()
    }

    /// For every input position (row-major over all spatial axes), how many output windows read
    /// it: the product of [`AxisGeometry::coverage`] over the axes.
    pub fn coverage(&self) -> Vec<usize> {
        self.axes.iter().fold(vec![1], |acc, axis| {
            let counts = axis.coverage();
            acc.iter()
                .flat_map(|a| counts.iter().map(move |c| a * c))
                .collect()
        })
    }

    /// The receptive field of output position `at` in this layer's input: one coordinate range per
    /// axis (see [`AxisGeometry::window`]). Errors when `at` lies outside the output.
    pub fn receptive_field(&self, at: &[usize]) -> Result<Vec<Range<isize>>> {
        ensure!(
            at.len() == self.axes.len(),
            "position has {} coordinates but the output has {} axes",
            at.len(),
            self.axes.len()
        );
        for (o, axis) in at.iter().zip(&self.axes) {
            if *o >= axis.output {
                bail!(
                    "output position {:?} is outside the {} output",
                    at,
                    shape_text(&self.output_shape())
                );
            }
        }
        Ok(at
            .iter()
            .zip(&self.axes)
            .map(|(o, a)| a.window(*o))
            .collect())
    }
}

/// The input positions that output positions `range` of a stack of layers read, along one axis:
/// `layers` lists each layer's `(kernel f, stride s, padding before p)`, first layer first. One
/// layer's outputs `a..b` read `a·s − p .. (b − 1)·s − p + f`; the stack applies that from the last
/// layer back to the first. For a single output position this is its receptive field in the
/// network's input (lecture 26: a 14x14 window at stride 2 for the sliding-windows network).
///
/// Errors for a kernel or stride of 0, a size past [`MAX_SIDE`], or a window beyond `±2^31`
/// (computed in 64 bits: wasm32's `isize` has 32).
pub fn stacked_window(
    layers: &[(usize, usize, usize)],
    range: Range<isize>,
) -> Result<Range<isize>> {
    let mut r = (range.start as i64, range.end as i64);
    ensure!(
        r.0.unsigned_abs() < 1 << 31 && r.1.unsigned_abs() < 1 << 31,
        "the output range {range:?} is more than 2^31 positions from 0"
    );
    for (i, &(f, s, p)) in layers.iter().enumerate().rev() {
        ensure!(
            (1..=MAX_SIDE).contains(&f) && (1..=MAX_SIDE).contains(&s) && p <= MAX_SIDE,
            "layer {}: kernel {f}, stride {s} and padding {p} must be from 1 (0 for the padding) to {MAX_SIDE}",
            i + 1
        );
        let (f, s, p) = (f as i64, s as i64, p as i64);
        r = (r.0 * s - p, (r.1 - 1) * s - p + f);
        ensure!(
            r.0.unsigned_abs() < 1 << 31 && r.1.unsigned_abs() < 1 << 31,
            "the window of these layers is more than 2^31 positions wide"
        );
    }
    Ok(r.0 as isize..r.1 as isize)
}

/// Where the outputs of a stack of layers look in the network's input, along one axis: output
/// position `o` reads input positions `start + o·jump .. start + o·jump + size` (lecture 39's
/// patches; padding makes `start` negative). The identity (`size` 1, `jump` 1, `start` 0)
/// describes the input itself; [`ReceptiveField::then`] adds one layer, so a chain gives the same
/// windows as [`stacked_window`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceptiveField {
    /// Input positions one output reads.
    pub size: usize,
    /// Input positions between neighbouring outputs (the product of the strides).
    pub jump: usize,
    /// First input position of output 0.
    pub start: isize,
}

impl ReceptiveField {
    /// The input itself: each position reads only itself.
    pub const IDENTITY: ReceptiveField = ReceptiveField {
        size: 1,
        jump: 1,
        start: 0,
    };

    /// After one more layer with kernel `f`, stride `s`, `before` padding and dilation `d`
    /// (effective kernel `d·(f − 1) + 1`): `size + (d·(f − 1))·jump`, `jump·s`,
    /// `start − before·jump`.
    pub fn then(self, f: usize, s: usize, before: usize, d: usize) -> ReceptiveField {
        ReceptiveField {
            size: self.size + d * f.saturating_sub(1) * self.jump,
            jump: self.jump * s,
            start: self.start - (before * self.jump) as isize,
        }
    }

    /// The smallest field covering both (an addition or concatenation of two branches reads
    /// what either branch reads); the jump is the larger of the two.
    pub fn union(self, other: ReceptiveField) -> ReceptiveField {
        let start = self.start.min(other.start);
        let end = (self.start + self.size as isize).max(other.start + other.size as isize);
        ReceptiveField {
            size: (end - start) as usize,
            jump: self.jump.max(other.jump),
            start,
        }
    }

    /// Input positions read by output position `o`: `start + o·jump .. start + o·jump + size`
    /// (negative or past the input's end where the network padded).
    pub fn window(&self, o: usize) -> Range<isize> {
        let first = self.start + (o * self.jump) as isize;
        first..first + self.size as isize
    }
}

/// Number of values of a tensor of `shape`, `Π shape`, or `None` when that overflows `usize`.
pub fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// Checks that `data` fits `shape` (every dimension ≥ 1, product equal to the length, within
/// [`MAX_ELEMENTS`]) and holds only finite numbers. `what` names the tensor in messages.
pub fn check_tensor(what: &str, data: &[f32], shape: &[usize]) -> Result<()> {
    if let Some(axis) = shape.iter().position(|&d| d == 0) {
        bail!(
            "{what} shape {} has a zero at axis {axis}",
            shape_text(shape)
        );
    }
    let expected = element_count(shape).filter(|&n| n <= MAX_ELEMENTS);
    let Some(expected) = expected else {
        bail!(
            "{what} shape {} exceeds the limit of {MAX_ELEMENTS} values",
            shape_text(shape)
        );
    };
    ensure!(
        data.len() == expected,
        "{what} has {} values but shape {} needs {expected}",
        data.len(),
        shape_text(shape)
    );
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        bail!(
            "{what} value at {} is {}: type a finite number there",
            position_text(shape, i),
            data[i]
        );
    }
    Ok(())
}

/// Where flat index `i` of a tensor of `shape` is, counted from 1 as the page shows grids:
/// `"row 2, column 3"`, with `channel` and `filter` for the axes before (leading axes of size 1
/// left out), `"position 4"` in one dimension.
pub fn position_text(shape: &[usize], i: usize) -> String {
    let rank = shape.len();
    let mut index = vec![0; rank];
    let mut rest = i;
    for (a, &d) in shape.iter().enumerate().rev() {
        index[a] = rest % d.max(1);
        rest /= d.max(1);
    }
    let parts: Vec<String> = (0..rank)
        .filter(|&a| shape[a] > 1 || a + 2 >= rank)
        .map(|a| {
            let name = match (rank - a, rank) {
                (1, 1) => "position".to_string(),
                (1, _) => "column".to_string(),
                (2, _) => "row".to_string(),
                (3, _) => "channel".to_string(),
                (4, _) => "filter".to_string(),
                _ => format!("axis {a} index"),
            };
            format!("{name} {}", index[a] + 1)
        })
        .collect();
    parts.join(", ")
}

/// Checks that a tensor of `shape` about to be produced holds at most [`MAX_ELEMENTS`] values.
/// `what` names it in the message.
pub fn check_output_size(what: &str, shape: &[usize]) -> Result<()> {
    let fits = element_count(shape).is_some_and(|n| n <= MAX_ELEMENTS);
    ensure!(
        fits,
        "{what} shape {} exceeds the limit of {MAX_ELEMENTS} values",
        shape_text(shape)
    );
    Ok(())
}

/// A shape as the page prints it: `[3, 6, 6]`.
pub fn shape_text(shape: &[usize]) -> String {
    format!("{shape:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_matches_the_course_for_odd_kernels() {
        for f in [1, 3, 5, 7] {
            assert_eq!(
                same_padding(6, f, 1).unwrap(),
                AxisPad::symmetric((f - 1) / 2)
            );
        }
    }

    #[test]
    fn coverage_counts_the_windows_reading_each_position() {
        let valid = AxisGeometry::new(6, 3, AxisPad::default(), 1).unwrap();
        assert_eq!(valid.coverage(), [1, 2, 3, 3, 2, 1]);
        let same = AxisGeometry::new(6, 3, AxisPad::symmetric(1), 1).unwrap();
        assert_eq!(same.coverage(), [2, 3, 3, 3, 3, 2]);
        let grid = Geometry::new(&[3, 6], &[3, 3], &Padding::Valid, &[1, 1]).unwrap();
        assert_eq!(grid.coverage()[..6], [1, 2, 3, 3, 2, 1]);
    }

    #[test]
    fn receptive_fields_agree_with_stacked_windows() {
        // LeNet-5: conv 5, pool 2/2, conv 5, pool 2/2 → one 5x5 output sees a 16x16 patch.
        let lenet = [(5, 1, 0), (2, 2, 0), (5, 1, 0), (2, 2, 0)];
        let padded = [(3, 1, 1), (3, 2, 1), (2, 2, 0), (3, 1, 1)];
        for net in [&lenet[..], &padded[..]] {
            let field = net
                .iter()
                .fold(ReceptiveField::IDENTITY, |r, &(f, s, p)| r.then(f, s, p, 1));
            for o in 0..5 {
                let o_ = o as isize;
                assert_eq!(field.window(o), stacked_window(net, o_..o_ + 1).unwrap());
            }
        }
        let lenet_field = lenet
            .iter()
            .fold(ReceptiveField::IDENTITY, |r, &(f, s, p)| r.then(f, s, p, 1));
        assert_eq!((lenet_field.size, lenet_field.jump), (16, 4));
        // Dilation 2 makes a 3-tap kernel read 5 positions.
        assert_eq!(ReceptiveField::IDENTITY.then(3, 1, 0, 2).size, 5);
        let a = ReceptiveField {
            size: 3,
            jump: 1,
            start: -1,
        };
        let b = ReceptiveField {
            size: 5,
            jump: 2,
            start: 0,
        };
        assert_eq!(
            a.union(b),
            ReceptiveField {
                size: 6,
                jump: 2,
                start: -1
            }
        );
    }

    #[test]
    fn stacked_windows_compose_kernels_and_strides() {
        // Lecture 26: conv 5, max pool 2 (stride 2), conv 5, two 1x1 convs.
        let net = [(5, 1, 0), (2, 2, 0), (5, 1, 0), (1, 1, 0), (1, 1, 0)];
        assert_eq!(stacked_window(&net, 0..1).unwrap(), 0..14);
        assert_eq!(stacked_window(&net, 3..4).unwrap(), 6..20);
        assert_eq!(stacked_window(&net, 0..8).unwrap(), 0..28);
        assert_eq!(stacked_window(&[(3, 1, 1)], 0..1).unwrap(), -1..2);
        // An output range past 2^31 is refused before it is multiplied (it overflowed natively).
        assert!(stacked_window(&[(3, 4096, 0)], isize::MIN..0).is_err());
    }

    #[test]
    fn uncovered_counts_what_the_stride_skips() {
        let a = AxisGeometry::new(8, 3, AxisPad::default(), 2).unwrap();
        assert_eq!((a.output, a.uncovered()), (3, 1));
    }
}
