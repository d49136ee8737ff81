//! Geometry ([`crate::core::geometry`]): output sizes and their formula, "same" padding, each
//! window's position, coverage and stacked receptive fields.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::geometry;
use crate::core::geometry::Padding;
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// The whole numbers `(n, f, p, s)` of one axis: input size, kernel, padding, stride.
fn axis_args(
    n: &JsValue,
    f: &JsValue,
    p: &JsValue,
    s: &JsValue,
) -> JsResult<(usize, usize, usize, usize)> {
    Ok((
        whole("n", n)?,
        whole("f", f)?,
        whole("p", p)?,
        whole("s", s)?,
    ))
}

/// Output size `floor((n + 2p - f) / s) + 1`; throws for `s = 0` or a kernel larger than the
/// padded input.
#[wasm_bindgen(js_name = outputSize)]
pub fn output_size(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<f64> {
    let (n, f, p, s) = axis_args(&n, &f, &p, &s)?;
    geometry::output_size_symmetric(n, f, p, s)
        .map(|o| o as f64)
        .map_err(core_error)
}

/// The output-size formula with its numbers, e.g. `"⌊(6 + 2·0 − 3) / 1⌋ + 1 = ⌊3 / 1⌋ + 1 = 4"`.
#[wasm_bindgen(js_name = outputSizeFormula)]
pub fn output_size_formula(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<String> {
    let (n, f, p, s) = axis_args(&n, &f, &p, &s)?;
    geometry::output_size_formula(n, f, p, s).map_err(core_error)
}

/// Padding `p` that keeps an `f`-wide kernel's output the size of its input at stride 1
/// (`p = (f - 1) / 2` for odd `f`; the before-side of "same" for even `f`).
#[wasm_bindgen(js_name = samePadding)]
pub fn same_padding(f: JsValue) -> JsResult<f64> {
    let f = whole("f", &f)?;
    geometry::same_padding(f.max(1), f, 1)
        .map(|p| p.before as f64)
        .map_err(core_error)
}

/// The geometry of one axis of a convolution: `{ output, padded, uncovered }` with
/// `output = floor((n + 2p - f) / s) + 1`, `padded = n + 2p`, and `uncovered` the rows (or columns)
/// at the far end of the padded input that no window reads because the stride does not tile,
/// `(n + 2p - f) mod s`.
#[wasm_bindgen(js_name = convGeometry)]
pub fn conv_geometry(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<JsValue> {
    let (n, f, p, s) = axis_args(&n, &f, &p, &s)?;
    let axis = geometry::AxisGeometry::new(n, f, geometry::AxisPad::symmetric(p), s)
        .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "output", axis.output as f64)?;
    set(&obj, "padded", (n + axis.pad.total()) as f64)?;
    set(&obj, "uncovered", axis.uncovered() as f64)?;
    Ok(obj.into())
}

/// How many output windows read each input position of an `n × n` input with an `f × f` kernel,
/// padding `p` and stride `s`: `{ counts: Uint32Array (n·n, row-major), rows: number[] }`, where
/// `rows[i]` is the count along one axis and `counts[y·n + x] = rows[y]·rows[x]`. In a valid
/// convolution the corners are read once and the centre `f²` times (lecture 04).
#[wasm_bindgen(js_name = windowCoverage)]
pub fn window_coverage(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<JsValue> {
    let (n, f, p, s) = axis_args(&n, &f, &p, &s)?;
    let g = geometry::Geometry::new(&[n, n], &[f, f], &Padding::Uniform(p), &[s, s])
        .map_err(core_error)?;
    let to_u32 = |v: Vec<usize>| v.into_iter().map(|c| c as u32).collect::<Vec<_>>();
    let obj = Object::new();
    set(
        &obj,
        "counts",
        js_sys::Uint32Array::from(to_u32(g.coverage()).as_slice()),
    )?;
    set(&obj, "rows", usizes(&g.axes[0].coverage()))?;
    Ok(obj.into())
}

/// The receptive field of output cell `at` (`[row, col]`) of a stack of layers given as `[[f, s,
/// p], …]` (first layer first, same on both axes): `{ start: [row, col], size: [h, w] }` in the
/// input. Lecture 26's network gives 14x14 windows at stride 2.
#[wasm_bindgen(js_name = stackedWindow)]
pub fn stacked_window(layers: JsValue, at: JsValue) -> JsResult<JsValue> {
    if !Array::is_array(&layers) {
        return Err(JsError::new(&format!(
            "layers must be an array of [f, s, p], got {}",
            type_name(&layers)
        )));
    }
    let stack = items("layers", &layers)?
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let [f, s, p] =
                crate::wasm::convert::shape::<3>(&format!("layers[{i}]"), &l, "[f, s, p]")?;
            Ok((f, s, p))
        })
        .collect::<JsResult<Vec<_>>>()?;
    let [row, col] = crate::wasm::convert::shape::<2>("at", &at, "[row, col]")?;
    let window = |o: usize| {
        let o = isize::try_from(o)
            .ok()
            .filter(|&o| o < isize::MAX)
            .ok_or_else(|| JsError::new(&format!("output position {o} is too large")))?;
        crate::core::geometry::stacked_window(&stack, o..o + 1).map_err(core_error)
    };
    let (r, c) = (window(row)?, window(col)?);
    let obj = Object::new();
    set(
        &obj,
        "start",
        js_sys::Array::of2(&(r.start as f64).into(), &(c.start as f64).into()),
    )?;
    set(
        &obj,
        "size",
        js_sys::Array::of2(
            &((r.end - r.start) as f64).into(),
            &((c.end - c.start) as f64).into(),
        ),
    )?;
    Ok(obj.into())
}
