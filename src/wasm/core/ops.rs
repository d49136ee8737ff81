//! Convolution and pooling ([`crate::core::ops`]): tract's result, the plain-Rust reference and
//! per-cell explanations.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::geometry::Padding;
use crate::core::ops::{Conv, Pool, PoolMode};
use crate::core::reference;
use crate::core::reference::{ConvTrace, PoolTrace};
use crate::wasm::convert::*;
use crate::wasm::{core_error, with_engine, JsResult};

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

/// Runs the paths of the page's first drawings once, on a 6×6 image: a 3×3 convolution by tract
/// with padding and ReLU, one with stride 2, max and average pooling by tract, and a convolution
/// cell's explanation. Returns how many results it computed (5).
///
/// For `www/lib/loader.js`, which calls it in a short-lived worker instantiating the page's
/// compiled module: a browser compiles a wasm function's code the first time any instance calls
/// it and shares that code with every instance of the module, so the page's own first drawing
/// then runs code that is ready. Measured in headless Chromium (Dec 2026): the page's first
/// `conv` took 48-56 ms without it, one task that held the page, and 2.5-3.5 ms after it.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> JsResult<u32> {
    let input: Vec<f32> = (0..36).map(|i| (i % 7) as f32).collect();
    let weight = [1.0, 0.0, -1.0, 1.0, 0.0, -1.0, 1.0, 0.0, -1.0];
    let (padded, valid) = (Padding::Uniform(1), Padding::Valid);
    let padded_conv = Conv {
        input: &input,
        input_shape: &[1, 6, 6],
        weight: &weight,
        weight_shape: &[1, 1, 3, 3],
        bias: Some(&[0.5]),
        padding: &padded,
        stride: &[1, 1],
        relu: true,
    };
    let strided_conv = Conv {
        padding: &valid,
        stride: &[2, 2],
        relu: false,
        ..padded_conv
    };
    let max_pool = Pool {
        input: &input,
        input_shape: &[1, 6, 6],
        mode: PoolMode::Max,
        size: &[2, 2],
        padding: &valid,
        stride: &[2, 2],
    };
    let average_pool = Pool {
        mode: PoolMode::Average,
        ..max_pool
    };
    with_engine(|engine| {
        engine.conv(&padded_conv)?;
        engine.conv(&strided_conv)?;
        engine.pool(&max_pool)?;
        engine.pool(&average_pool)?;
        Ok(())
    })?;
    reference::conv_trace(&padded_conv, &[0, 0]).map_err(core_error)?;
    Ok(5)
}
