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
use crate::geometry::{self, Padding};
use crate::image;
use crate::network::{self, Layer};
use crate::ops::{Conv2d, Output, Pool2d, PoolMode};
use crate::reference::{self, ConvTrace, PoolTrace, Window};

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

/// `[a, b, …]` of exactly `N` whole numbers, from a plain or typed array.
fn shape<const N: usize>(name: &str, v: &JsValue, form: &str) -> JsResult<[usize; N]> {
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be {form}, got {}",
            type_name(v)
        )));
    }
    let items = Array::from(v);
    if items.length() as usize != N {
        return Err(JsError::new(&format!(
            "{name} must be {form} ({N} numbers), got {} numbers",
            items.length()
        )));
    }
    let mut out = [0; N];
    for (i, item) in items.iter().enumerate() {
        out[i] = whole(&format!("{name}[{i}]"), &item)?;
    }
    Ok(out)
}

/// `"valid"`, `"same"` or a whole number `p` of zeros on every side.
fn padding(v: &JsValue) -> JsResult<Padding> {
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

/// `{ shape: number[], data: Float32Array }`.
fn output(out: Output) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "shape", numbers(out.shape.iter().map(|&d| d as f64)))?;
    set(&obj, "data", Float32Array::from(out.data.as_slice()))?;
    Ok(obj.into())
}

/// The arguments shared by `conv2d`, `conv2dReference` and `explainConv`, owned.
struct ConvArgs {
    input: Vec<f32>,
    input_shape: [usize; 3],
    weight: Vec<f32>,
    weight_shape: [usize; 4],
    bias: Option<Vec<f32>>,
    padding: Padding,
    stride: usize,
}

impl ConvArgs {
    /// Parses `[input, inputShape, weight, weightShape, bias, padding, stride]`, the JS argument
    /// order of `conv2d`.
    fn parse(
        [input, input_shape, weight, weight_shape, bias, pad, stride]: &[JsValue; 7],
    ) -> JsResult<Self> {
        Ok(ConvArgs {
            input: floats("input", input)?,
            input_shape: shape("inputShape", input_shape, "[c, h, w]")?,
            weight: floats("weight", weight)?,
            weight_shape: shape("weightShape", weight_shape, "[k, c, f, f]")?,
            bias: if bias.is_null() || bias.is_undefined() {
                None
            } else {
                Some(floats("bias", bias)?)
            },
            padding: padding(pad)?,
            stride: whole("stride", stride)?,
        })
    }

    fn conv(&self) -> Conv2d<'_> {
        Conv2d {
            input: &self.input,
            input_shape: self.input_shape,
            weight: &self.weight,
            weight_shape: self.weight_shape,
            bias: self.bias.as_deref(),
            padding: &self.padding,
            stride: [self.stride, self.stride],
            relu: false,
        }
    }
}

/// 2D convolution computed by **tract** on an ONNX `Conv` graph.
///
/// `input` `[c, h, w]` and `weight` `[k, c, f, f]` (OIHW) are `Float32Array`s (or arrays of
/// numbers), `bias` has `k` values or is `null`, `padding` is a whole number, `"valid"` or
/// `"same"`, `stride` a whole number ≥ 1. Returns `{ shape: [k, h', w'], data: Float32Array }`
/// with `h' = floor((h + 2p - f) / s) + 1`. Throws an `Error` naming the problem otherwise.
#[wasm_bindgen(js_name = conv2d)]
pub fn conv2d(
    input: JsValue,
    input_shape: JsValue,
    weight: JsValue,
    weight_shape: JsValue,
    bias: JsValue,
    padding: JsValue,
    stride: JsValue,
) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&[
        input,
        input_shape,
        weight,
        weight_shape,
        bias,
        padding,
        stride,
    ])?;
    output(with_engine(|engine| engine.conv2d(&args.conv()))?)
}

/// The same convolution as [`conv2d`], computed by the plain-Rust reference.
#[wasm_bindgen(js_name = conv2dReference)]
pub fn conv2d_reference(
    input: JsValue,
    input_shape: JsValue,
    weight: JsValue,
    weight_shape: JsValue,
    bias: JsValue,
    padding: JsValue,
    stride: JsValue,
) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&[
        input,
        input_shape,
        weight,
        weight_shape,
        bias,
        padding,
        stride,
    ])?;
    output(reference::conv2d(&args.conv()).map_err(core_error)?)
}

fn window_object(w: &Window) -> JsResult<Object> {
    let obj = Object::new();
    set(&obj, "top", w.rows.start as f64)?;
    set(&obj, "left", w.cols.start as f64)?;
    set(&obj, "height", (w.rows.end - w.rows.start) as f64)?;
    set(&obj, "width", (w.cols.end - w.cols.start) as f64)?;
    Ok(obj)
}

fn trace_object(t: &ConvTrace) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "outY", t.out_y as f64)?;
    set(&obj, "outX", t.out_x as f64)?;
    set(&obj, "window", window_object(&t.window)?)?;
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
            set(&to, "ky", term.ky as f64)?;
            set(&to, "kx", term.kx as f64)?;
            set(&to, "y", term.y as f64)?;
            set(&to, "x", term.x as f64)?;
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

/// How output cell `(outY, outX)` of [`conv2d`] (no bias) is computed, by the reference.
///
/// Returns `{ outY, outX, window: {top, left, height, width}, filters: [{ filter, bias, sum,
/// output, terms: [{ channel, ky, kx, y, x, input, weight, product, padding }] }] }`; the window
/// is in input coordinates and reaches into the padding where `top`/`left` are negative, and terms
/// come in channel, row, column order. `sum` equals the cell's value.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = explainConv)]
pub fn explain_conv(
    input: JsValue,
    input_shape: JsValue,
    weight: JsValue,
    weight_shape: JsValue,
    padding: JsValue,
    stride: JsValue,
    out_y: JsValue,
    out_x: JsValue,
) -> JsResult<JsValue> {
    let args = ConvArgs::parse(&[
        input,
        input_shape,
        weight,
        weight_shape,
        JsValue::NULL,
        padding,
        stride,
    ])?;
    let (y, x) = (whole("outY", &out_y)?, whole("outX", &out_x)?);
    trace_object(&reference::conv2d_trace(&args.conv(), y, x).map_err(core_error)?)
}

struct PoolArgs {
    input: Vec<f32>,
    input_shape: [usize; 3],
    mode: PoolMode,
    size: usize,
    stride: usize,
}

impl PoolArgs {
    fn parse(
        input: &JsValue,
        input_shape: &JsValue,
        mode: &JsValue,
        size: &JsValue,
        stride: &JsValue,
    ) -> JsResult<Self> {
        let Some(mode_text) = mode.as_string() else {
            return Err(JsError::new(&format!(
                "mode must be \"max\" or \"avg\", got {}",
                type_name(mode)
            )));
        };
        Ok(PoolArgs {
            input: floats("input", input)?,
            input_shape: shape("inputShape", input_shape, "[c, h, w]")?,
            mode: PoolMode::parse(&mode_text).map_err(core_error)?,
            size: whole("size", size)?,
            stride: whole("stride", stride)?,
        })
    }

    fn pool(&self) -> Pool2d<'_> {
        Pool2d {
            input: &self.input,
            input_shape: self.input_shape,
            mode: self.mode,
            size: [self.size, self.size],
            padding: &Padding::Valid,
            stride: [self.stride, self.stride],
        }
    }
}

/// Max (`mode = "max"`) or average (`"avg"`) pooling of every channel of `input` `[c, h, w]` with a
/// `size × size` window and `stride`, computed by **tract**. Returns `{ shape: [c, h', w'], data }`.
#[wasm_bindgen(js_name = pool2d)]
pub fn pool2d(
    input: JsValue,
    input_shape: JsValue,
    mode: JsValue,
    size: JsValue,
    stride: JsValue,
) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&input, &input_shape, &mode, &size, &stride)?;
    output(with_engine(|engine| engine.pool2d(&args.pool()))?)
}

/// The same pooling as [`pool2d`], computed by the plain-Rust reference.
#[wasm_bindgen(js_name = pool2dReference)]
pub fn pool2d_reference(
    input: JsValue,
    input_shape: JsValue,
    mode: JsValue,
    size: JsValue,
    stride: JsValue,
) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&input, &input_shape, &mode, &size, &stride)?;
    output(reference::pool2d(&args.pool()).map_err(core_error)?)
}

fn pool_trace_object(t: &PoolTrace) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "channel", t.channel as f64)?;
    set(&obj, "outY", t.out_y as f64)?;
    set(&obj, "outX", t.out_x as f64)?;
    set(&obj, "window", window_object(&t.window)?)?;
    let values = Array::new();
    for &(y, x, v) in &t.values {
        values.push(&numbers([y as f64, x as f64, v as f64]));
    }
    set(&obj, "values", values)?;
    set(&obj, "output", t.output)?;
    let argmax = match t.argmax {
        Some((y, x)) => numbers([y as f64, x as f64]).into(),
        None => JsValue::NULL,
    };
    set(&obj, "argmax", argmax)?;
    Ok(obj.into())
}

/// How output cell `(outY, outX)` of channel `channel` of [`pool2d`] is computed: `{ channel,
/// outY, outX, window, values: [[y, x, value], …], output, argmax: [y, x] | null }`.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = explainPool)]
pub fn explain_pool(
    input: JsValue,
    input_shape: JsValue,
    mode: JsValue,
    size: JsValue,
    stride: JsValue,
    channel: JsValue,
    out_y: JsValue,
    out_x: JsValue,
) -> JsResult<JsValue> {
    let args = PoolArgs::parse(&input, &input_shape, &mode, &size, &stride)?;
    let (c, y, x) = (
        whole("channel", &channel)?,
        whole("outY", &out_y)?,
        whole("outX", &out_x)?,
    );
    pool_trace_object(&reference::pool2d_trace(&args.pool(), c, y, x).map_err(core_error)?)
}

/// Output size `floor((n + 2p - f) / s) + 1`; throws for `s = 0` or a kernel larger than the
/// padded input.
#[wasm_bindgen(js_name = outputSize)]
pub fn output_size(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<f64> {
    let (n, f, p, s) = (
        whole("n", &n)?,
        whole("f", &f)?,
        whole("p", &p)?,
        whole("s", &s)?,
    );
    geometry::output_size_symmetric(n, f, p, s)
        .map(|o| o as f64)
        .map_err(core_error)
}

/// The output-size formula with its numbers, e.g. `"⌊(6 + 2·0 − 3) / 1⌋ + 1 = ⌊3 / 1⌋ + 1 = 4"`.
#[wasm_bindgen(js_name = outputSizeFormula)]
pub fn output_size_formula(n: JsValue, f: JsValue, p: JsValue, s: JsValue) -> JsResult<String> {
    let (n, f, p, s) = (
        whole("n", &n)?,
        whole("f", &f)?,
        whole("p", &p)?,
        whole("s", &s)?,
    );
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

fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
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

/// A single-channel `f × f` kernel as one `[1, 3, f, f]` filter over R, G, B weighted by the luma
/// coefficients: convolving an RGB `imageToTensor(…, 3)` with it gives the same numbers as
/// convolving the grey `imageToTensor(…, 1)` with `kernel`, and tract computes it faster.
#[wasm_bindgen(js_name = lumaWeightedKernel)]
pub fn luma_weighted_kernel(kernel: JsValue) -> JsResult<Float32Array> {
    let kernel = floats("kernel", &kernel)?;
    Ok(Float32Array::from(image::luma_weighted(&kernel).as_slice()))
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
/// blue-white-red scale at `±scale = max |v|`, or with `absolute` magnitudes in grey.
#[wasm_bindgen(js_name = heatmap)]
pub fn heatmap(data: JsValue, absolute: bool) -> JsResult<JsValue> {
    let map = image::heatmap(&floats("data", &data)?, absolute).map_err(core_error)?;
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
    let (n, f, p, s) = (
        whole("n", &n)?,
        whole("f", &f)?,
        whole("p", &p)?,
        whole("s", &s)?,
    );
    let axis = geometry::AxisGeometry::new(n, f, geometry::AxisPad::symmetric(p), s)
        .map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "output", axis.output as f64)?;
    set(&obj, "padded", (n + axis.pad.total()) as f64)?;
    set(&obj, "uncovered", axis.uncovered() as f64)?;
    Ok(obj.into())
}
