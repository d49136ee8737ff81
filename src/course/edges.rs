//! The edge lab's whole frame in one call: pixels → tensor → tract convolution → optional pooling
//! → heatmap, so a webcam frame crosses between JavaScript and wasm once each way (RGBA in, RGBA
//! out) instead of as four large float arrays.

use anyhow::Result;

use crate::core::engine::Engine;
use crate::core::geometry::Padding;
use crate::core::image::{self, Heatmap};
use crate::core::ops::{Conv, Pool, PoolMode};

/// The image an edge map is computed from.
pub enum EdgeInput<'a> {
    /// `width × height` RGBA bytes from a canvas; filtered as its grey (BT.601 luma) image.
    Rgba(&'a [u8]),
    /// A `[1, height, width]` grey tensor (the generated images).
    Grey(&'a [f32]),
}

/// What [`edge_map`] returns.
#[derive(Debug)]
pub struct EdgeMap {
    /// The convolution's output shape `[1, h - f + 1, w - f + 1]` (valid convolution).
    pub conv_shape: Vec<usize>,
    /// The shape drawn: `conv_shape`, or after pooling `[1, ⌊(h' - 2) / 2⌋ + 1, …]`.
    pub shape: Vec<usize>,
    /// The drawn map's pixels and colour scale (see [`image::heatmap`]).
    pub heatmap: Heatmap,
}

/// Filters the grey image of `input` (`width × height`) with the `f × f` `kernel` by tract (valid
/// convolution, so no false edges along the border), then optionally pools the result with a 2x2
/// window at stride 2 (`pool`, lecture 09 on a feature map), and colours it (`absolute`: magnitudes
/// in grey, otherwise signed blue-white-red).
///
/// RGBA input is convolved as its three colour planes with the luma-weighted kernel
/// ([`image::luma_weighted`]), which equals the grey convolution and runs faster in tract.
pub fn edge_map(
    engine: &mut Engine,
    input: EdgeInput,
    width: usize,
    height: usize,
    kernel: &[f32],
    absolute: bool,
    pool: Option<PoolMode>,
) -> Result<EdgeMap> {
    let f = (kernel.len() as f64).sqrt() as usize;
    anyhow::ensure!(
        f * f == kernel.len(),
        "a kernel needs f·f values, got {}",
        kernel.len()
    );
    let rgb;
    let luma;
    let (data, c, weight): (&[f32], usize, &[f32]) = match input {
        EdgeInput::Rgba(rgba) => {
            rgb = image::rgba_to_chw(rgba, width, height, 3)?;
            luma = image::luma_weighted(kernel);
            (&rgb, 3, &luma)
        }
        EdgeInput::Grey(grey) => (grey, 1, kernel),
    };
    let conv = engine.conv(&Conv {
        input: data,
        input_shape: &[c, height, width],
        weight,
        weight_shape: &[1, c, f, f],
        bias: None,
        padding: &Padding::Valid,
        stride: &[1, 1],
        relu: false,
    })?;
    let out = match pool {
        None => conv.clone(),
        Some(mode) => engine.pool(&Pool {
            input: &conv.data,
            input_shape: &conv.shape,
            mode,
            size: &[2, 2],
            padding: &Padding::Valid,
            stride: &[2, 2],
        })?,
    };
    Ok(EdgeMap {
        conv_shape: conv.shape,
        heatmap: image::heatmap(&out.data, absolute)?,
        shape: out.shape,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::reference;

    #[test]
    fn rgba_and_grey_inputs_give_the_reference_edges_and_pooling_halves_them() {
        let (w, h) = (9, 7);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| ((i * 53) % 256) as u8).collect();
        let grey = image::rgba_to_chw(&rgba, w, h, 1).unwrap();
        let kernel = [1.0, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0];
        let mut engine = Engine::new();
        let expected = reference::conv(&Conv {
            input: &grey,
            input_shape: &[1, h, w],
            weight: &kernel,
            weight_shape: &[1, 1, 3, 3],
            bias: None,
            padding: &Padding::Valid,
            stride: &[1, 1],
            relu: false,
        })
        .unwrap();
        let from_rgba = edge_map(
            &mut engine,
            EdgeInput::Rgba(&rgba),
            w,
            h,
            &kernel,
            false,
            None,
        )
        .unwrap();
        let from_grey = edge_map(
            &mut engine,
            EdgeInput::Grey(&grey),
            w,
            h,
            &kernel,
            false,
            None,
        )
        .unwrap();
        assert_eq!(from_rgba.shape, [1, 5, 7]);
        let drawn = image::heatmap(&expected.data, false).unwrap();
        // Same colours up to one level of rounding (tract's sums run in another order).
        for map in [&from_rgba.heatmap, &from_grey.heatmap] {
            assert!((map.scale - drawn.scale).abs() < 1e-3 * drawn.scale);
            let worst = map
                .rgba
                .iter()
                .zip(&drawn.rgba)
                .map(|(a, b)| a.abs_diff(*b))
                .max();
            assert!(worst <= Some(1), "colours differ by {worst:?}");
        }
        let pooled = edge_map(
            &mut engine,
            EdgeInput::Grey(&grey),
            w,
            h,
            &kernel,
            true,
            Some(PoolMode::Max),
        )
        .unwrap();
        assert_eq!(
            (pooled.conv_shape, pooled.shape),
            (vec![1, 5, 7], vec![1, 2, 3])
        );
        let pooled_reference = reference::pool(&Pool {
            input: &expected.data,
            input_shape: &expected.shape,
            mode: PoolMode::Max,
            size: &[2, 2],
            padding: &Padding::Valid,
            stride: &[2, 2],
        })
        .unwrap();
        let drawn = image::heatmap(&pooled_reference.data, true).unwrap();
        assert!((pooled.heatmap.max - drawn.max).abs() < 1e-3 * drawn.max);
        assert!((pooled.heatmap.min - drawn.min).abs() < 1e-3 * drawn.max);
        assert!(edge_map(
            &mut engine,
            EdgeInput::Grey(&grey),
            w,
            h,
            &kernel[..8],
            false,
            None
        )
        .unwrap_err()
        .to_string()
        .contains("f·f values, got 8"));
    }
}
