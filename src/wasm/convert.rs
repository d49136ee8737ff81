//! Conversions between JavaScript values and the core's slices, shapes and results, in one place:
//! every facade function reads its arguments with these and nothing else.

use js_sys::{Array, ArrayBuffer, Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::geometry::{AxisPad, Padding, MAX_ELEMENTS};
use crate::core::ops::Output;
use crate::core::reference::Window;
use crate::wasm::JsResult;

pub(crate) fn type_name(v: &JsValue) -> String {
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

/// The elements of a plain array or a typed array `v`, read with catching accessors
/// (`Reflect.get`): a throwing getter becomes an error value here instead of a JavaScript
/// exception unwinding through wasm (which leaks the module's shadow stack). At most
/// [`MAX_ELEMENTS`] elements.
pub(crate) fn items(name: &str, v: &JsValue) -> JsResult<Vec<JsValue>> {
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be an array, got {}",
            type_name(v)
        )));
    }
    let len = Reflect::get(v, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .filter(|l| l.fract() == 0.0 && (0.0..=MAX_ELEMENTS as f64).contains(l))
        .ok_or_else(|| {
            JsError::new(&format!(
                "{name} must be an array of at most {MAX_ELEMENTS} values"
            ))
        })? as u32;
    (0..len)
        .map(|i| {
            Reflect::get_u32(v, i).map_err(|e| {
                JsError::new(&format!(
                    "{name}[{i}] could not be read ({})",
                    e.as_string()
                        .or_else(|| Reflect::get(&e, &"message".into()).ok()?.as_string())
                        .unwrap_or_else(|| "it threw".into())
                ))
            })
        })
        .collect()
}

/// A `Float32Array`, another typed array or a plain array of numbers → `Vec<f32>`.
pub(crate) fn floats(name: &str, v: &JsValue) -> JsResult<Vec<f32>> {
    // Typed arrays of numbers copy out directly (their elements cannot throw).
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec().into_iter().map(|x| x as f32).collect());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec().into_iter().map(f32::from).collect());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Uint8ClampedArray>() {
        return Ok(a.to_vec().into_iter().map(f32::from).collect());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Int32Array>() {
        return Ok(a.to_vec().into_iter().map(|x| x as f32).collect());
    }
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be a Float32Array or an array of numbers, got {}",
            type_name(v)
        )));
    }
    items(name, v)?
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64().map(|x| x as f32).ok_or_else(|| {
                JsError::new(&format!("{name}[{i}] is {}, not a number", type_name(x)))
            })
        })
        .collect()
}

/// `n·4` numbers (a typed array or an array) → `n` box corners `[x1, y1, x2, y2]`, unchecked:
/// callers build checked boxes from them or name the empty ones themselves.
pub(crate) fn corners(name: &str, v: &JsValue) -> JsResult<Vec<[f32; 4]>> {
    let c = floats(name, v)?;
    if c.len() % 4 != 0 {
        return Err(JsError::new(&format!(
            "{name} must hold 4 numbers per box (x1, y1, x2, y2), got {} numbers",
            c.len()
        )));
    }
    Ok(c.chunks_exact(4)
        .map(|b| [b[0], b[1], b[2], b[3]])
        .collect())
}

/// Bytes: a `Uint8Array` (an ONNX file's), a `Uint8ClampedArray` (a canvas's RGBA pixels) or an
/// `ArrayBuffer`, copied into the module; anything else, `null` included, is an error value that
/// names the argument (the glue of a `&[u8]` parameter would throw a bare `TypeError` instead).
pub(crate) fn bytes(name: &str, v: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Uint8ClampedArray>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(a).to_vec());
    }
    Err(JsError::new(&format!(
        "{name} must be a Uint8Array or a canvas's ImageData.data (for a file: new Uint8Array(await file.arrayBuffer())), got {}",
        v.as_f64().map_or_else(|| type_name(v), |x| x.to_string())
    )))
}

/// Whole numbers ≥ 0 (labels, identities, sizes); the message calls a bad one `what`.
pub(crate) fn indices(name: &str, v: &JsValue, what: &str) -> JsResult<Vec<usize>> {
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
pub(crate) fn whole(name: &str, v: &JsValue) -> JsResult<usize> {
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

/// A seed: a whole number from 0 to 2^53 (every such number is exact in JavaScript).
pub(crate) fn seed(name: &str, v: &JsValue) -> JsResult<u64> {
    match v.as_f64() {
        Some(x)
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_992.0 =>
        {
            Ok(x as u64)
        }
        _ => Err(JsError::new(&format!(
            "{name} must be a whole number from 0 to 2^53, got {}",
            v.as_f64().map_or_else(|| type_name(v), |x| x.to_string())
        ))),
    }
}

/// Any number as `f32` (thresholds, scales, coordinates); the core checks the ranges.
pub(crate) fn number(name: &str, v: &JsValue) -> JsResult<f32> {
    v.as_f64()
        .map(|x| x as f32)
        .ok_or_else(|| JsError::new(&format!("{name} must be a number, got {}", type_name(v))))
}

/// `[a, b, …]` of exactly `N` whole numbers, from a plain or typed array.
pub(crate) fn shape<const N: usize>(name: &str, v: &JsValue, form: &str) -> JsResult<[usize; N]> {
    let items = dims(name, v, form)?;
    items.as_slice().try_into().map_err(|_| {
        JsError::new(&format!(
            "{name} must be {form} ({N} numbers), got {} numbers",
            items.len()
        ))
    })
}

/// A plain or typed array of whole numbers, any length.
pub(crate) fn dims(name: &str, v: &JsValue, form: &str) -> JsResult<Vec<usize>> {
    if !(Array::is_array(v) || ArrayBuffer::is_view(v)) {
        return Err(JsError::new(&format!(
            "{name} must be {form}, got {}",
            type_name(v)
        )));
    }
    items(name, v)?
        .iter()
        .enumerate()
        .map(|(i, item)| whole(&format!("{name}[{i}]"), item))
        .collect()
}

/// `"valid"`, `"same"`, a whole number `p` of zeros on every side, or (`rank` given) an array of
/// one `p` per spatial axis.
pub(crate) fn padding(v: &JsValue, rank: Option<usize>) -> JsResult<Padding> {
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

pub(crate) fn set(target: &Object, key: &str, value: impl Into<JsValue>) -> JsResult<()> {
    Reflect::set(target, &JsValue::from_str(key), &value.into())
        .map(|_| ())
        .map_err(|_| JsError::new("could not build the result object"))
}

pub(crate) fn numbers(values: impl IntoIterator<Item = f64>) -> Array {
    values.into_iter().map(JsValue::from_f64).collect()
}

pub(crate) fn usizes(values: &[usize]) -> Array {
    numbers(values.iter().map(|&v| v as f64))
}

pub(crate) fn isizes(values: &[isize]) -> Array {
    numbers(values.iter().map(|&v| v as f64))
}

/// `{ shape: number[], data: Float32Array }`.
pub(crate) fn output(out: Output) -> JsResult<JsValue> {
    let obj = Object::new();
    set(&obj, "shape", usizes(&out.shape))?;
    set(&obj, "data", Float32Array::from(out.data.as_slice()))?;
    Ok(obj.into())
}

/// `options[key]`, or `undefined` when it is missing.
pub(crate) fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn is_missing(v: &JsValue) -> bool {
    v.is_null() || v.is_undefined()
}

/// Checks that `options` is an object; `what` names the function in the message.
pub(crate) fn options_object(options: &JsValue, what: &str) -> JsResult<()> {
    if options.is_object() && !Array::is_array(options) {
        return Ok(());
    }
    Err(JsError::new(&format!(
        "{what} takes one options object, got {}",
        type_name(options)
    )))
}

/// `stride` (default 1): one whole number for every axis or an array of one per axis.
pub(crate) fn strides(
    v: &JsValue,
    name: &str,
    rank: usize,
    default: &[usize],
) -> JsResult<Vec<usize>> {
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
pub(crate) fn rank_of(input_shape: &[usize]) -> usize {
    input_shape.len().saturating_sub(1).max(1)
}

pub(crate) fn ranges_object(ranges: &[std::ops::Range<isize>]) -> JsResult<Object> {
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
pub(crate) fn window_object(w: &Window, spatial: &[usize]) -> JsResult<Object> {
    let obj = ranges_object(&w.axes)?;
    set(&obj, "inside", ranges_object(&w.inside(spatial))?)?;
    Ok(obj)
}
