//! The operations the playground computes, described once and validated once.
//!
//! Both the plain-Rust [`crate::core::reference`] and tract (through [`crate::core::engine`]) take these
//! descriptions, so they cannot disagree about what a layer is.
//!
//! Layouts: tensors are NCHW with a batch of one, so an activation shape is `[c, h, w]` (the
//! course's `n_H × n_W × n_C` written channels first); kernels are OIHW, `[k, c, f_h, f_w]`
//! (the course's `f × f × n_C^[l-1] × n_C^[l]` written filters first). Signals (1D) are `[c, n]`
//! with kernels `[k, c, f]`, volumes (3D) `[c, d, h, w]` with kernels `[k, c, f_d, f_h, f_w]`.

use anyhow::{ensure, Result};

use crate::core::geometry::{
    check_output_size, check_tensor, shape_text, AxisPad, Geometry, Padding,
};

/// A dense tensor returned to the caller: `data` in row-major order of `shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// `[channels, spatial…]`, e.g. `[k, h', w']` for a 2D layer.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values.
    pub data: Vec<f32>,
}

/// Most spatial axes a layer may have: 1 (signals), 2 (images) or 3 (volumes).
pub const MAX_RANK: usize = 3;

/// Number of spatial axes of an input `[c, spatial…]`, checked to be 1 to [`MAX_RANK`].
fn spatial_rank(input_shape: &[usize]) -> Result<usize> {
    let rank = input_shape.len().saturating_sub(1);
    ensure!(
        (1..=MAX_RANK).contains(&rank),
        "input shape {} must be [c, n] (1D), [c, h, w] (2D) or [c, d, h, w] (3D)",
        shape_text(input_shape)
    );
    Ok(rank)
}

/// A convolution (cross-correlation, as in the course) over 1, 2 or 3 spatial axes of one input
/// `[c, spatial…]` with `k` filters `[k, c, kernel…]`, an optional bias per filter and an optional
/// ReLU. In 2D:
///
/// `out[k][y][x] = relu?(bias[k] + Σ_c Σ_i Σ_j in[c][y·s_h + i - p_top][x·s_w + j - p_left] · w[k][c][i][j])`
///
/// where reads outside the input are zeros; 1D and 3D drop or add one spatial index.
#[derive(Clone, Copy, Debug)]
pub struct Conv<'a> {
    /// `c · Π spatial` values.
    pub input: &'a [f32],
    /// `[c, n]`, `[c, h, w]` or `[c, d, h, w]`.
    pub input_shape: &'a [usize],
    /// `k · c · Π kernel` values.
    pub weight: &'a [f32],
    /// `[k, c, kernel…]` with one kernel size per spatial axis (OIHW in 2D).
    pub weight_shape: &'a [usize],
    /// `k` values, or none for no bias.
    pub bias: Option<&'a [f32]>,
    /// Padding of the spatial axes.
    pub padding: &'a Padding,
    /// One stride per spatial axis, outer to inner.
    pub stride: &'a [usize],
    /// Apply `max(0, ·)` after the bias.
    pub relu: bool,
}

impl Conv<'_> {
    /// Checks every argument and returns the geometry of the spatial axes.
    ///
    /// Errors name the numbers: ranks that disagree, data lengths against shapes, channel
    /// mismatches, a bias of the wrong length, non-finite values, an output over the size limit,
    /// and everything [`Geometry::new`] rejects.
    pub fn validate(&self) -> Result<Geometry> {
        let rank = spatial_rank(self.input_shape)?;
        ensure!(
            self.weight_shape.len() == rank + 2,
            "weight shape {} must be [k, c, {}] for an input of shape {}",
            shape_text(self.weight_shape),
            ["n", "f_h, f_w", "f_d, f_h, f_w"][rank - 1],
            shape_text(self.input_shape)
        );
        let c = self.input_shape[0];
        let (k, wc) = (self.weight_shape[0], self.weight_shape[1]);
        check_tensor("input", self.input, self.input_shape)?;
        check_tensor("weight", self.weight, self.weight_shape)?;
        ensure!(
            wc == c,
            "the filters have {wc} channels but the input has {c} (shapes {} and {})",
            shape_text(self.weight_shape),
            shape_text(self.input_shape)
        );
        if let Some(bias) = self.bias {
            ensure!(
                bias.len() == k,
                "bias has {} values but there are {k} filters",
                bias.len()
            );
            check_tensor("bias", bias, &[k])?;
        }
        let geometry = Geometry::new(
            &self.input_shape[1..],
            &self.weight_shape[2..],
            self.padding,
            self.stride,
        )?;
        check_output_size("output", &self.output_shape(&geometry))?;
        Ok(geometry)
    }

    /// Output shape `[k, spatial'…]` for an already validated geometry.
    pub fn output_shape(&self, geometry: &Geometry) -> Vec<usize> {
        std::iter::once(self.weight_shape[0])
            .chain(geometry.output_shape())
            .collect()
    }
}

/// Max or average pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolMode {
    /// The largest value of the window; padding never wins (it is skipped, as in ONNX).
    Max,
    /// The mean of the window's input values; padding is not counted (ONNX
    /// `count_include_pad = 0`).
    Average,
}

impl PoolMode {
    /// Parses `"max"` or `"avg"` (also `"average"`).
    pub fn parse(mode: &str) -> Result<Self> {
        match mode {
            "max" => Ok(PoolMode::Max),
            "avg" | "average" => Ok(PoolMode::Average),
            other => anyhow::bail!("unknown pooling mode {other:?}: use \"max\" or \"avg\""),
        }
    }
}

/// Pooling of an input `[c, spatial…]` (1 to 3 spatial axes), channel by channel, with a window of
/// one size per spatial axis.
#[derive(Clone, Copy, Debug)]
pub struct Pool<'a> {
    /// `c · Π spatial` values.
    pub input: &'a [f32],
    /// `[c, n]`, `[c, h, w]` or `[c, d, h, w]`.
    pub input_shape: &'a [usize],
    /// Max or average.
    pub mode: PoolMode,
    /// Window size per spatial axis, e.g. `[f_h, f_w]`.
    pub size: &'a [usize],
    /// Padding of the spatial axes; each side must be smaller than the window.
    pub padding: &'a Padding,
    /// One stride per spatial axis.
    pub stride: &'a [usize],
}

impl Pool<'_> {
    /// Checks every argument and returns the geometry; see [`Conv::validate`]. Padding of a side
    /// must be smaller than the window along that axis, so no window is all padding.
    pub fn validate(&self) -> Result<Geometry> {
        spatial_rank(self.input_shape)?;
        check_tensor("input", self.input, self.input_shape)?;
        let g = Geometry::new(&self.input_shape[1..], self.size, self.padding, self.stride)?;
        for a in &g.axes {
            let AxisPad { before, after } = a.pad;
            ensure!(
                before < a.kernel && after < a.kernel,
                "pooling padding {before}+{after} must be smaller than the window {}",
                a.kernel
            );
        }
        check_output_size("output", &self.output_shape(&g))?;
        Ok(g)
    }

    /// Output shape `[c, spatial'…]` for an already validated geometry.
    pub fn output_shape(&self, geometry: &Geometry) -> Vec<usize> {
        std::iter::once(self.input_shape[0])
            .chain(geometry.output_shape())
            .collect()
    }
}
