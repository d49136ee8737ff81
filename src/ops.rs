//! The operations the playground computes, described once and validated once.
//!
//! Both the plain-Rust [`crate::reference`] and tract (through [`crate::engine`]) take these
//! descriptions, so they cannot disagree about what a layer is.
//!
//! Layouts: tensors are NCHW with a batch of one, so an activation shape is `[c, h, w]` (the
//! course's `n_H × n_W × n_C` written channels first); kernels are OIHW, `[k, c, f_h, f_w]`
//! (the course's `f × f × n_C^[l-1] × n_C^[l]` written filters first).

use anyhow::{ensure, Result};

use crate::geometry::{check_output_size, check_tensor, shape_text, AxisPad, Geometry, Padding};

/// A dense tensor returned to the caller: `data` in row-major order of `shape`.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// For 2D layers `[k, h', w']` (channels, rows, columns).
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values.
    pub data: Vec<f32>,
}

/// A 2D convolution (cross-correlation, as in the course) of one `[c, h, w]` input with `k`
/// filters `[k, c, f_h, f_w]`, an optional bias per filter and an optional ReLU:
///
/// `out[k][y][x] = relu?(bias[k] + Σ_c Σ_i Σ_j in[c][y·s_h + i - p_top][x·s_w + j - p_left] · w[k][c][i][j])`
///
/// where reads outside the input are zeros.
#[derive(Clone, Copy, Debug)]
pub struct Conv2d<'a> {
    /// `c·h·w` values.
    pub input: &'a [f32],
    /// `[c, h, w]`.
    pub input_shape: [usize; 3],
    /// `k·c·f_h·f_w` values.
    pub weight: &'a [f32],
    /// `[k, c, f_h, f_w]`.
    pub weight_shape: [usize; 4],
    /// `k` values, or none for no bias.
    pub bias: Option<&'a [f32]>,
    /// Padding of the two spatial axes.
    pub padding: &'a Padding,
    /// `[s_h, s_w]`.
    pub stride: [usize; 2],
    /// Apply `max(0, ·)` after the bias.
    pub relu: bool,
}

impl Conv2d<'_> {
    /// Checks every argument and returns the geometry of the two spatial axes.
    ///
    /// Errors name the numbers: data lengths against shapes, channel mismatches, a bias of the
    /// wrong length, non-finite values, an output over the size limit, and everything
    /// [`Geometry::new`] rejects.
    pub fn validate(&self) -> Result<Geometry> {
        let [c, h, w] = self.input_shape;
        let [k, wc, fh, fw] = self.weight_shape;
        check_tensor("input", self.input, &self.input_shape)?;
        check_tensor("weight", self.weight, &self.weight_shape)?;
        ensure!(
            wc == c,
            "the filters have {wc} channels but the input has {c} (shapes {} and {})",
            shape_text(&self.weight_shape),
            shape_text(&self.input_shape)
        );
        if let Some(bias) = self.bias {
            ensure!(
                bias.len() == k,
                "bias has {} values but there are {k} filters",
                bias.len()
            );
            check_tensor("bias", bias, &[k])?;
        }
        let geometry = Geometry::new(&[h, w], &[fh, fw], self.padding, &self.stride)?;
        check_output_size("output", &self.output_shape(&geometry))?;
        Ok(geometry)
    }

    /// Output shape `[k, h', w']` for an already validated geometry.
    pub fn output_shape(&self, geometry: &Geometry) -> Vec<usize> {
        let out = geometry.output_shape();
        vec![self.weight_shape[0], out[0], out[1]]
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

/// 2D pooling of a `[c, h, w]` input, channel by channel, with a `f_h × f_w` window.
#[derive(Clone, Copy, Debug)]
pub struct Pool2d<'a> {
    /// `c·h·w` values.
    pub input: &'a [f32],
    /// `[c, h, w]`.
    pub input_shape: [usize; 3],
    /// Max or average.
    pub mode: PoolMode,
    /// `[f_h, f_w]`.
    pub size: [usize; 2],
    /// Padding of the two spatial axes; each side must be smaller than the window.
    pub padding: &'a Padding,
    /// `[s_h, s_w]`.
    pub stride: [usize; 2],
}

impl Pool2d<'_> {
    /// Checks every argument and returns the geometry; see [`Conv2d::validate`]. Padding of a side
    /// must be smaller than the window along that axis, so no window is all padding.
    pub fn validate(&self) -> Result<Geometry> {
        let [_, h, w] = self.input_shape;
        check_tensor("input", self.input, &self.input_shape)?;
        let g = Geometry::new(&[h, w], &self.size, self.padding, &self.stride)?;
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

    /// Output shape `[c, h', w']` for an already validated geometry.
    pub fn output_shape(&self, geometry: &Geometry) -> Vec<usize> {
        let out = geometry.output_shape();
        vec![self.input_shape[0], out[0], out[1]]
    }
}
