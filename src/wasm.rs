//! The JavaScript API (wasm32 only): turns JS values into the core's slices and shapes, calls the
//! core, and turns results into plain JS objects and typed arrays.
//!
//! Nothing here computes anything. Every argument is checked before it reaches the core, every
//! core error becomes a JS `Error` with the core's message, and no code path here can panic, so the
//! module keeps working after any bad call.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::Engine;
use crate::filters;
use crate::geometry::{self, AxisPad, Padding};
use crate::image;
use crate::network::{self, Layer};
use crate::ops::{Conv, Output, Pool, PoolMode};
use crate::reference::{self, ConvTrace, PoolTrace, Window};
use crate::samples;

mod detect;
mod embedding;
mod inputs;
mod model;
mod style;
mod transfer;
pub use detect::*;
pub use embedding::*;
pub use inputs::*;
pub use model::*;
pub use style::*;
pub use transfer::*;

type JsResult<T> = Result<T, JsError>;

thread_local! {
    /// One engine (and plan cache) per wasm instance, shared by every widget on the page.
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

/// Installs the panic hook so that a bug, should one slip through, is reported on the console
/// with its message instead of an opaque `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn core_error(e: anyhow::Error) -> JsError {
    JsError::new(&format!("{e:#}"))
}

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> anyhow::Result<T>) -> JsResult<T> {
    ENGINE.with(|cell| {
        let mut engine = cell
            .try_borrow_mut()
            .map_err(|_| JsError::new("the engine is busy with another call"))?;
        f(&mut engine).map_err(core_error)
    })
}

fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "an unknown value".into())
    }
}

/// A `Float32Array`, another typed array or a plain array of numbers → `Vec<f32>`.
fn floats(name: &str, v: &JsValue) -> JsResult<Vec<f32>> {
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(a.to_vec());
    }
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be a Float32Array or an array of numbers, got {}",
            type_name(v)
        )));
    }
    Array::from(v)
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64().map(|x| x as f32).ok_or_else(|| {
                JsError::new(&format!("{name}[{i}] is {}, not a number", type_name(&x)))
            })
        })
        .collect()
}

/// Whole numbers ≥ 0 (labels, identities, sizes); the message calls a bad one `what`.
fn indices(name: &str, v: &JsValue, what: &str) -> JsResult<Vec<usize>> {
    floats(name, v)?
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            if l >= 0.0 && l.fract() == 0.0 {
                Ok(l as usize)
            } else {
                Err(JsError::new(&format!("{name}[{i}] is {l}, not {what}")))
            }
        })
        .collect()
}

/// A non-negative whole number (the core checks the lower bounds that matter, e.g. stride ≥ 1).
fn whole(name: &str, v: &JsValue) -> JsResult<usize> {
    let Some(x) = v.as_f64() else {
        return Err(JsError::new(&format!(
            "{name} must be a number, got {}",
            type_name(v)
        )));
    };
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64) {
        return Err(JsError::new(&format!(
            "{name} must be a whole number ≥ 0, got {x}"
        )));
    }
    Ok(x as usize)
}

/// Any number as `f32` (thresholds, scales, coordinates); the core checks the ranges.
fn number(name: &str, v: &JsValue) -> JsResult<f32> {
    v.as_f64()
        .map(|x| x as f32)
        .ok_or_else(|| JsError::new(&format!("{name} must be a number, got {}", type_name(v))))
}

/// `[a, b, …]` of exactly `N` whole numbers, from a plain or typed array.
fn shape<const N: usize>(name: &str, v: &JsValue, form: &str) -> JsResult<[usize; N]> {
    let items = dims(name, v, form)?;
    items.as_slice().try_into().map_err(|_| {
        JsError::new(&format!(
            "{name} must be {form} ({N} numbers), got {} numbers",
            items.len()
        ))
    })
}

/// A plain or typed array of whole numbers, any length.
fn dims(name: &str, v: &JsValue, form: &str) -> JsResult<Vec<usize>> {
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be {form}, got {}",
            type_name(v)
        )));
    }
    Array::from(v)
        .iter()
        .enumerate()
        .map(|(i, item)| whole(&format!("{name}[{i}]"), &item))
        .collect()
}

/// `"valid"`, `"same"`, a whole number `p` of zeros on every side, or (`rank` given) an array of
/// one `p` per spatial axis.
fn padding(v: &JsValue, rank: Option<usize>) -> JsResult<Padding> {
    if let (Some(rank), true) = (rank, Array::is_array(v)) {
        let per_axis = dims("padding", v, "an array of whole numbers")?;
        if per_axis.len() != rank {
            return Err(JsError::new(&format!(
                "padding lists {} axes but the input has {rank} spatial axes",
                per_axis.len()
            )));
        }
        return Ok(Padding::PerAxis(
            per_axis.into_iter().map(AxisPad::symmetric).collect(),
        ));
    }
    match v.as_string().as_deref() {
        Some("valid") => Ok(Padding::Valid),
        Some("same") => Ok(Padding::Same),
        Some(other) => Err(JsError::new(&format!(
            "padding must be \"valid\", \"same\" or a whole number, got {other:?}"
        ))),
        None => Ok(Padding::Uniform(whole("padding", v)?)),
    }
}

fn set(target: &Object, key: &str, value: impl Into<JsValue>) -> JsResult<()> {
    Reflect::set(target, &JsValue::from_str(key), &value.into())
        .map(|_| ())
        .map_err(|_| JsError::new("could not build the result object"))
}

fn numbers(values: impl IntoIterator<Item = f64>) -> Array {
    values.into_iter().map(JsValue::from_f64).collect()
}

fn usizes(values: &[usize]) -> Array {
    numbers(values.iter().map(|&v| v as f64))
}

fn isizes(values: &[isize]) -> Array {
    numbers(values.iter().map(|&v| v as f64))
}

/// `{ shape: number[], data: Float32Array }`.
fn output(out: Output) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "shape", usizes(&out.shape))?;
    set(&obj, "data", Float32Array::from(out.data.as_slice()))?;
    Ok(obj.into())
}

/// `options[key]`, or `undefined` when it is missing.
fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_missing(v: &JsValue) -> bool {
    v.is_null() || v.is_undefined()
}

/// Checks that `options` is an object; `what` names the function in the message.
fn options_object(options: &JsValue, what: &str) -> JsResult<()> {
    if options.is_object() && !Array::is_array(options) {
        return Ok(());
    }
    Err(JsError::new(&format!(
        "{what} takes one options object, got {}",
        type_name(options)
    )))
}

/// `stride` (default 1): one whole number for every axis or an array of one per axis.
fn strides(v: &JsValue, name: &str, rank: usize, default: &[usize]) -> JsResult<Vec<usize>> {
    if is_missing(v) {
        return Ok(default.to_vec());
    }
    if Array::is_array(v) || ArrayBuffer::is_view(v) {
        let list = dims(name, v, "a whole number or an array of them")?;
        if list.len() != rank {
            return Err(JsError::new(&format!(
                "{name} lists {} axes but the input has {rank} spatial axes",
                list.len()
            )));
        }
        return Ok(list);
    }
    Ok(vec![whole(name, v)?; rank])
}

/// Spatial axes of an input shape `[c, spatial…]` (the core checks the range 1..=3).
fn rank_of(input_shape: &[usize]) -> usize {
    input_shape.len().saturating_sub(1).max(1)
}

/// The options of `conv`, `convReference` and `explainConv`, owned.
struct ConvArgs {
    input: Vec<f32>,
    input_shape: Vec<usize>,
    weight: Vec<f32>,
    weight_shape: Vec<usize>,
    bias: Option<Vec<f32>>,
    padding: Padding,
    stride: Vec<usize>,
    relu: bool,
}

impl ConvArgs {
    /// Parses `{ input, inputShape, weight, weightShape, bias?, padding?, stride?, relu? }`.
    fn parse(options: &JsValue, what: &str) -> JsResult<Self> {
        options_object(options, what)?;
        let input_shape = dims(
            "inputShape",
            &field(options, "inputShape"),
            "[c, n], [c, h, w] or [c, d, h, w]",
        )?;
        let rank = rank_of(&input_shape);
        let bias = field(options, "bias");
        let pad = field(options, "padding");
        let relu = field(options, "relu");
        Ok(ConvArgs {
            input: floats("input", &field(options, "input"))?,
            weight: floats("weight", &field(options, "weight"))?,
            weight_shape: dims(
                "weightShape",
                &field(options, "weightShape"),
                "[k, c, kernel…]",
            )?,
            bias: if is_missing(&bias) {
                None
            } else {
                Some(floats("bias", &bias)?)
            },
            padding: if is_missing(&pad) {
                Padding::Valid
            } else {
                padding(&pad, Some(rank))?
            },
            stride: strides(&field(options, "stride"), "stride", rank, &vec![1; rank])?,
            relu: match relu.as_bool() {
                Some(r) => r,
                None if is_missing(&relu) => false,
                None => {
                    return Err(JsError::new(&format!(
                        "relu must be true or false, got {}",
                        type_name(&relu)
                    )))
                }
            },
            input_shape,
        })
    }

    fn conv(&self) -> Conv<'_> {
        Conv {
            input: &self.input,
            input_shape: &self.input_shape,
            weight: &self.weight,
            weight_shape: &self.weight_shape,
            bias: self.bias.as_deref(),
            padding: &self.padding,
            stride: &self.stride,
            relu: self.relu,
        }
    }
}

/// A convolution over 1, 2 or 3 spatial axes computed by **tract** on an ONNX `Conv` graph.
///
/// `options`: `input` (`Float32Array` or array of numbers) of shape `inputShape` `[c, n]`,
/// `[c, h, w]` or `[c, d, h, w]`; `weight` of shape `weightShape` `[k, c, kernel…]` (OIHW in 2D);
/// optional `bias` (`k` values), `padding` (`"valid"` — the default —, `"same"`, a whole number
/// `p`, or one `p` per spatial axis), `stride` (default 1, or one per axis) and `relu` (default
/// false). Returns `{ shape: [k, spatial'…], data: Float32Array }` with each spatial side
/// `floor((n + 2p - f) / s) + 1`. Throws an `Error` naming the problem otherwise.
#[wasm_bindgen(js_name = conv)]
pub fn conv(options: JsValue) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&options, "conv")?;
    output(with_engine(|engine| engine.conv(&args.conv()))?)
}

/// The same convolution as [`conv`], computed by the plain-Rust reference.
#[wasm_bindgen(js_name = convReference)]
pub fn conv_reference(options: JsValue) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&options, "convReference")?;
    output(reference::conv(&args.conv()).map_err(core_error)?)
}

fn ranges_object(ranges: &[std::ops::Range<isize>]) -> JsResult<Object> {
    let obj = Object::new();
    set(
        &obj,
        "start",
        numbers(ranges.iter().map(|r| r.start as f64)),
    )?;
    set(
        &obj,
        "size",
        numbers(ranges.iter().map(|r| (r.end - r.start) as f64)),
    )?;
    Ok(obj)
}

/// `{ start: number[], size: number[], inside: { start, size } }`: the window's first input
/// coordinate and extent per axis, and the part of it inside the input (not padding).
fn window_object(w: &Window, spatial: &[usize]) -> JsResult<Object> {
    let obj = ranges_object(&w.axes)?;
    set(&obj, "inside", ranges_object(&w.inside(spatial))?)?;
    Ok(obj)
}

fn trace_object(t: &ConvTrace, spatial: &[usize]) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "at", usizes(&t.at))?;
    set(&obj, "window", window_object(&t.window, spatial)?)?;
    let filters = Array::new();
    for f in &t.filters {
        let fo = Object::new();
        set(&fo, "filter", f.filter as f64)?;
        set(&fo, "bias", f.bias)?;
        set(&fo, "sum", f.sum)?;
        set(&fo, "output", f.output)?;
        let terms = Array::new();
        for term in &f.terms {
            let to = Object::new();
            set(&to, "channel", term.channel as f64)?;
            set(&to, "kernel", usizes(&term.kernel))?;
            set(&to, "at", isizes(&term.at))?;
            set(&to, "input", term.input)?;
            set(&to, "weight", term.weight)?;
            set(&to, "product", term.product)?;
            set(&to, "padding", term.in_padding)?;
            terms.push(&to);
        }
        set(&fo, "terms", terms)?;
        filters.push(&fo);
    }
    set(&obj, "filters", filters)?;
    Ok(obj.into())
}

/// How output cell `at` (one index per spatial axis, e.g. `[row, column]`) of [`conv`] with the
/// same `options` is computed, by the reference.
///
/// Returns `{ at, window: { start, size, inside: { start, size } }, filters: [{ filter, bias, sum, output, terms: [{
/// channel, kernel, at, input, weight, product, padding }] }] }`: the window is in input
/// coordinates and reaches into the padding where `start` is negative; terms come channel first,
/// then kernel positions in row-major order. `sum` is bias + products, `output` the cell's value
/// (after ReLU when `relu`).
#[wasm_bindgen(js_name = explainConv)]
pub fn explain_conv(options: JsValue, at: JsValue) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&options, "explainConv")?;
    let at = dims("at", &at, "an array of output indices")?;
    let trace = reference::conv_trace(&args.conv(), &at).map_err(core_error)?;
    trace_object(&trace, &args.input_shape[1..])
}

/// The options of `pool`, `poolReference` and `explainPool`, owned.
struct PoolArgs {
    input: Vec<f32>,
    input_shape: Vec<usize>,
    mode: PoolMode,
    size: Vec<usize>,
    padding: Padding,
    stride: Vec<usize>,
}

impl PoolArgs {
    /// Parses `{ input, inputShape, mode, size, stride?, padding? }`.
    fn parse(options: &JsValue, what: &str) -> JsResult<Self> {
        options_object(options, what)?;
        let input_shape = dims(
            "inputShape",
            &field(options, "inputShape"),
            "[c, n], [c, h, w] or [c, d, h, w]",
        )?;
        let rank = rank_of(&input_shape);
        let mode = field(options, "mode");
        let Some(mode_text) = mode.as_string() else {
            return Err(JsError::new(&format!(
                "mode must be \"max\" or \"avg\", got {}",
                type_name(&mode)
            )));
        };
        let size_value = field(options, "size");
        if is_missing(&size_value) {
            return Err(JsError::new(
                "size must be a whole number or an array of them, got undefined",
            ));
        }
        let size = strides(&size_value, "size", rank, &[])?;
        let pad = field(options, "padding");
        Ok(PoolArgs {
            input: floats("input", &field(options, "input"))?,
            mode: PoolMode::parse(&mode_text).map_err(core_error)?,
            stride: strides(&field(options, "stride"), "stride", rank, &size)?,
            size,
            padding: if is_missing(&pad) {
                Padding::Valid
            } else {
                padding(&pad, Some(rank))?
            },
            input_shape,
        })
    }

    fn pool(&self) -> Pool<'_> {
        Pool {
            input: &self.input,
            input_shape: &self.input_shape,
            mode: self.mode,
            size: &self.size,
            padding: &self.padding,
            stride: &self.stride,
        }
    }
}

/// Max (`mode: "max"`) or average (`"avg"`) pooling of every channel over 1, 2 or 3 spatial axes,
/// computed by **tract**.
///
/// `options`: `input` of shape `inputShape` (`[c, n]`, `[c, h, w]` or `[c, d, h, w]`), `mode`,
/// `size` (a whole number or one per axis), optional `stride` (default: the size) and `padding`
/// (default `"valid"`; each side smaller than the window; average pooling does not count padding).
/// Returns `{ shape: [c, spatial'…], data }`.
#[wasm_bindgen(js_name = pool)]
pub fn pool(options: JsValue) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&options, "pool")?;
    output(with_engine(|engine| engine.pool(&args.pool()))?)
}

/// The same pooling as [`pool`], computed by the plain-Rust reference.
#[wasm_bindgen(js_name = poolReference)]
pub fn pool_reference(options: JsValue) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&options, "poolReference")?;
    output(reference::pool(&args.pool()).map_err(core_error)?)
}

fn pool_trace_object(t: &PoolTrace, spatial: &[usize]) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "channel", t.channel as f64)?;
    set(&obj, "at", usizes(&t.at))?;
    set(&obj, "window", window_object(&t.window, spatial)?)?;
    let values = Array::new();
    for (at, v) in &t.values {
        let vo = Object::new();
        set(&vo, "at", isizes(at))?;
        set(&vo, "value", *v)?;
        values.push(&vo);
    }
    set(&obj, "values", values)?;
    set(&obj, "output", t.output)?;
    let argmax = match &t.argmax {
        Some(at) => isizes(at).into(),
        None => JsValue::NULL,
    };
    set(&obj, "argmax", argmax)?;
    Ok(obj.into())
}

/// How output cell `at` of channel `channel` of [`pool`] with the same `options` is computed:
/// `{ channel, at, window: { start, size }, values: [{ at, value }], output, argmax: number[] |
/// null }`; `values` skips the padding, `argmax` is the first largest value's input position.
#[wasm_bindgen(js_name = explainPool)]
pub fn explain_pool(options: JsValue, channel: JsValue, at: JsValue) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&options, "explainPool")?;
    let channel = whole("channel", &channel)?;
    let at = dims("at", &at, "an array of output indices")?;
    let trace = reference::pool_trace(&args.pool(), channel, &at).map_err(core_error)?;
    pool_trace_object(&trace, &args.input_shape[1..])
}

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

/// The named filters: `[{ name, label, size, weights: Float32Array }]` (row-major `size × size`).
#[wasm_bindgen(js_name = filters)]
pub fn filter_list() -> JsResult<Array> {
    let list = Array::new();
    for f in filters::FILTERS {
        let obj = Object::new();
        set(&obj, "name", f.name)?;
        set(&obj, "label", f.label)?;
        set(&obj, "size", f.size as f64)?;
        set(&obj, "weights", Float32Array::from(f.weights))?;
        list.push(&obj);
    }
    Ok(list)
}

/// Largest `|a[i] - b[i]|` of two equally long arrays: how far tract is from the reference.
#[wasm_bindgen(js_name = maxAbsDiff)]
pub fn max_abs_diff(a: JsValue, b: JsValue) -> JsResult<f32> {
    reference::max_abs_diff(&floats("a", &a)?, &floats("b", &b)?).map_err(core_error)
}

/// Number of optimised tract plans currently cached (at most 8).
#[wasm_bindgen(js_name = cachedPlans)]
pub fn cached_plans() -> JsResult<f64> {
    with_engine(|engine| Ok(engine.cached_plans() as f64))
}

fn layer(i: usize, v: &JsValue) -> JsResult<Layer> {
    let name = |key: &str| format!("layers[{i}].{key}");
    let num = |key: &str| whole(&name(key), &field(v, key));
    let kind = field(v, "type").as_string().unwrap_or_default();
    Ok(match kind.as_str() {
        "conv" => Layer::Conv {
            f: num("f")?,
            stride: num("s")?,
            padding: num("p")?,
            filters: num("filters")?,
        },
        "pool" => {
            let mode = field(v, "mode").as_string().unwrap_or_else(|| "max".into());
            Layer::Pool {
                mode: PoolMode::parse(&mode).map_err(core_error)?,
                f: num("f")?,
                stride: num("s")?,
            }
        }
        "flatten" => Layer::Flatten,
        "dense" => Layer::Dense {
            units: num("units")?,
        },
        other => {
            return Err(JsError::new(&format!(
            "layers[{i}].type must be \"conv\", \"pool\", \"flatten\" or \"dense\", got {other:?}"
        )))
        }
    })
}

/// Activation shapes and parameter counts of a stack of layers on an input `[c, h, w]`.
///
/// `layers` is an array of `{type: "conv", f, s, p, filters}`, `{type: "pool", mode, f, s}`,
/// `{type: "flatten"}` or `{type: "dense", units}`. Returns `{ layers: [{ output: number[], params
/// }], totalParams }`, one entry per layer; conv parameters are `(f·f·c + 1)·filters`, dense
/// `(n + 1)·units`.
#[wasm_bindgen(js_name = networkShapes)]
pub fn network_shapes(input_shape: JsValue, layers: JsValue) -> JsResult<JsValue> {
    let input = shape("inputShape", &input_shape, "[c, h, w]")?;
    if !Array::is_array(&layers) {
        return Err(JsError::new(&format!(
            "layers must be an array, got {}",
            type_name(&layers)
        )));
    }
    let parsed = Array::from(&layers)
        .iter()
        .enumerate()
        .map(|(i, v)| layer(i, &v))
        .collect::<JsResult<Vec<_>>>()?;
    let steps = network::shapes(input, &parsed).map_err(core_error)?;
    let total = network::total_params(&steps).map_err(core_error)?;
    let list = Array::new();
    for step in steps {
        let obj = Object::new();
        set(
            &obj,
            "output",
            numbers(step.output.iter().map(|&d| d as f64)),
        )?;
        set(&obj, "params", step.params as f64)?;
        list.push(&obj);
    }
    let result = Object::new();
    set(&result, "layers", list)?;
    set(&result, "totalParams", total as f64)?;
    Ok(result.into())
}

/// Parameters of a fully connected layer between activations `from` and `to` (`[c, h, w]`):
/// `(c·h·w + 1)·(c'·h'·w')` — lecture 11's comparison with a convolution.
#[wasm_bindgen(js_name = denseParamsBetween)]
pub fn dense_params_between(from: JsValue, to: JsValue) -> JsResult<f64> {
    let from = shape("from", &from, "[c, h, w]")?;
    let to = shape("to", &to, "[c, h, w]")?;
    network::dense_params_between(from, to)
        .map(|n| n as f64)
        .map_err(core_error)
}

/// RGBA bytes of a `width × height` canvas (`Uint8ClampedArray` or `Uint8Array`) → a `[c, h, w]`
/// `Float32Array` with values 0-255: `channels = 1` for grey (BT.601 luma), 3 for R, G, B.
#[wasm_bindgen(js_name = imageToTensor)]
pub fn image_to_tensor(
    rgba: &[u8],
    width: JsValue,
    height: JsValue,
    channels: JsValue,
) -> JsResult<Float32Array> {
    let (w, h, c) = (
        whole("width", &width)?,
        whole("height", &height)?,
        whole("channels", &channels)?,
    );
    let data = image::rgba_to_chw(rgba, w, h, c).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// The size a user's `width × height` image is scaled to before use: `{ width, height, scaled }`,
/// at most `maxImageSide()` per side, aspect ratio kept.
#[wasm_bindgen(js_name = fitImage)]
pub fn fit_image(width: JsValue, height: JsValue) -> JsResult<JsValue> {
    let (w, h) = (whole("width", &width)?, whole("height", &height)?);
    let (fw, fh) = image::fit_within_limit(w, h).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "width", fw as f64)?;
    set(&obj, "height", fh as f64)?;
    set(&obj, "scaled", (fw, fh) != (w, h))?;
    Ok(obj.into())
}

/// Largest side, in pixels, of an image the edge widgets take (larger ones are scaled down).
#[wasm_bindgen(js_name = maxImageSide)]
pub fn max_image_side() -> f64 {
    image::MAX_IMAGE_SIDE as f64
}

/// The generated images: `[{ name, label }]`.
#[wasm_bindgen(js_name = generatedImages)]
pub fn generated_images() -> JsResult<Array> {
    let list = Array::new();
    for (name, label) in image::GENERATED {
        let obj = Object::new();
        set(&obj, "name", *name)?;
        set(&obj, "label", *label)?;
        list.push(&obj);
    }
    Ok(list)
}

/// A generated `size × size` grey image (values 0-255) as a `[1, size, size]` `Float32Array`.
#[wasm_bindgen(js_name = generateImage)]
pub fn generate_image(name: JsValue, size: JsValue) -> JsResult<Float32Array> {
    let Some(name) = name.as_string() else {
        return Err(JsError::new(&format!(
            "name must be a string, got {}",
            type_name(&name)
        )));
    };
    let data = image::generate(&name, whole("size", &size)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// A feature map as pixels: `{ rgba: Uint8ClampedArray, scale, min, max }`; signed values on a
/// blue-white-red scale at `±scale = max |v|`, or with `absolute` magnitudes in grey. An optional
/// `scale` sets the full-colour magnitude instead, so several maps share one colour scale.
#[wasm_bindgen(js_name = heatmap)]
pub fn heatmap(data: JsValue, absolute: bool, scale: JsValue) -> JsResult<JsValue> {
    let scale = if is_missing(&scale) {
        None
    } else {
        Some(number("scale", &scale)?)
    };
    let map =
        image::heatmap_scaled(&floats("data", &data)?, absolute, scale).map_err(core_error)?;
    let obj = Object::new();
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(map.rgba.as_slice()),
    )?;
    set(&obj, "scale", map.scale)?;
    set(&obj, "min", map.min)?;
    set(&obj, "max", map.max)?;
    Ok(obj.into())
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

/// A synthetic heartbeat trace of `n` samples (two beats in 14 samples): `Float32Array`.
#[wasm_bindgen(js_name = heartbeat)]
pub fn heartbeat(n: JsValue) -> JsResult<Float32Array> {
    let data = samples::heartbeat(whole("n", &n)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// An `n × n × n` volume (depth, height, width) holding a ball of ones: `Float32Array`.
#[wasm_bindgen(js_name = ballVolume)]
pub fn ball_volume(n: JsValue) -> JsResult<Float32Array> {
    let data = samples::ball(whole("n", &n)?).map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// `c·h·w` fixed pseudo-random activations in 0..10, `[c, h, w]` row-major: `Float32Array`.
#[wasm_bindgen(js_name = activations)]
pub fn activations(c: JsValue, h: JsValue, w: JsValue) -> JsResult<Float32Array> {
    let data = samples::activations(whole("c", &c)?, whole("h", &h)?, whole("w", &w)?)
        .map_err(core_error)?;
    Ok(Float32Array::from(data.as_slice()))
}

/// The 1D (`dims = 1`) or 3D (`dims = 3`) filters: `[{ name, label, shape, weights }]`.
#[wasm_bindgen(js_name = ndFilters)]
pub fn nd_filters(dims: JsValue) -> JsResult<Array> {
    let list = match whole("dims", &dims)? {
        1 => samples::FILTERS_1D,
        3 => samples::FILTERS_3D,
        other => {
            return Err(JsError::new(&format!(
                "dims must be 1 or 3 (2D filters come from filters()), got {other}"
            )))
        }
    };
    let out = Array::new();
    for f in list {
        let obj = Object::new();
        set(&obj, "name", f.name)?;
        set(&obj, "label", f.label)?;
        set(&obj, "shape", usizes(f.shape))?;
        let weights = samples::nd_filter(f.name).map_err(core_error)?;
        set(&obj, "weights", Float32Array::from(weights.as_slice()))?;
        out.push(&obj);
    }
    Ok(out)
}

/// The edge lab's frame in one call: the grey image of `rgba` (`Uint8ClampedArray` from a canvas)
/// or of `grey` (a `[1, height, width]` `Float32Array`), `width`, `height`, convolved by tract
/// with the `f × f` `kernel` (valid), optionally pooled (`pool`: `"max"` or `"avg"` with a 2x2
/// window at stride 2; default none) and coloured (`absolute`, default false).
///
/// Returns `{ rgba: Uint8ClampedArray, shape: [1, h'', w''], convShape: [1, h', w'], scale, min,
/// max }`: the drawn map, its shape after pooling, the convolution's shape, and the colour scale.
#[wasm_bindgen(js_name = edgeMap)]
pub fn edge_map(options: JsValue) -> JsResult<JsValue> {
    use crate::edges::{self, EdgeInput};
    options_object(&options, "edgeMap")?;
    let width = whole("width", &field(&options, "width"))?;
    let height = whole("height", &field(&options, "height"))?;
    let kernel = floats("kernel", &field(&options, "kernel"))?;
    let absolute = field(&options, "absolute").is_truthy();
    let pool = match field(&options, "pool") {
        v if is_missing(&v) || v.as_string().as_deref() == Some("none") => None,
        v => Some(
            PoolMode::parse(&v.as_string().unwrap_or_else(|| type_name(&v))).map_err(core_error)?,
        ),
    };
    let rgba = field(&options, "rgba");
    let map = if is_missing(&rgba) {
        let grey = floats("grey", &field(&options, "grey"))?;
        with_engine(|e| {
            edges::edge_map(
                e,
                EdgeInput::Grey(&grey),
                width,
                height,
                &kernel,
                absolute,
                pool,
            )
        })?
    } else {
        let Some(bytes) = rgba
            .dyn_ref::<js_sys::Uint8ClampedArray>()
            .map(|a| a.to_vec())
            .or_else(|| rgba.dyn_ref::<js_sys::Uint8Array>().map(|a| a.to_vec()))
        else {
            return Err(JsError::new(&format!(
                "rgba must be a Uint8ClampedArray or Uint8Array, got {}",
                type_name(&rgba)
            )));
        };
        with_engine(|e| {
            edges::edge_map(
                e,
                EdgeInput::Rgba(&bytes),
                width,
                height,
                &kernel,
                absolute,
                pool,
            )
        })?
    };
    let obj = Object::new();
    set(
        &obj,
        "rgba",
        js_sys::Uint8ClampedArray::from(map.heatmap.rgba.as_slice()),
    )?;
    set(&obj, "shape", usizes(&map.shape))?;
    set(&obj, "convShape", usizes(&map.conv_shape))?;
    set(&obj, "scale", map.heatmap.scale)?;
    set(&obj, "min", map.heatmap.min)?;
    set(&obj, "max", map.heatmap.max)?;
    Ok(obj.into())
}
