//! The part of [rustfft](https://crates.io/crates/rustfft) 6's API that tract 0.23.9 calls, for
//! the playground's `[patch.crates-io]`.
//!
//! tract-core asks for rustfft with its `wasm_simd` feature for the ONNX `DFT` and `STFT` ops, and
//! tract registers those ops whether a model uses them or not, so the whole planner (every
//! butterfly, for `f32` and `f64`, scalar and SIMD) was 0.74 MB of the page's 8.49 MB module and
//! 0.23 MB of its 2.27 MB gzipped. No model or lesson of the playground computes a Fourier
//! transform; a learner's own model with `DFT` still runs, through this plain code:
//!
//! - lengths that are powers of two: iterative radix-2 Cooley-Tukey, `O(n log n)`;
//! - other lengths: the direct sum `X[k] = Σ_j x[j]·w^(jk)`, `O(n²)`.
//!
//! Conventions are rustfft's: forward `w = e^(-2πi/n)`, inverse `w = e^(+2πi/n)`, neither
//! normalised; a buffer is transformed in place, one run of `len` values after another.
//! tract's own `Fft` op is tested against a plain DFT (`tests/native/common.rs`, `check_fft`),
//! natively and in the browser. Removing the patch from `Cargo.toml` brings rustfft back.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

pub use num_complex;
pub use num_traits;

use num_complex::Complex;
use num_traits::{FromPrimitive, Signed};

/// The numbers a transform works on (`f32`, `f64`): rustfft's bound, unchanged.
pub trait FftNum: Copy + FromPrimitive + Signed + Sync + Send + Debug + 'static {}

impl<T> FftNum for T where T: Copy + FromPrimitive + Signed + Sync + Send + Debug + 'static {}

/// Which way a transform goes: forward `e^(-2πi·jk/n)`, inverse `e^(+2πi·jk/n)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FftDirection {
    Forward,
    Inverse,
}

/// A planned transform of one length and direction.
pub trait Fft<T: FftNum>: Sync + Send {
    /// The length `n` of one transform.
    fn len(&self) -> usize;

    /// Whether `n` is 0.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The direction planned.
    fn fft_direction(&self) -> FftDirection;

    /// Transforms `buffer` in place, `n` values at a time: `buffer[i·n..(i+1)·n] ← DFT of it`
    /// (unnormalised). A remainder shorter than `n` is left as it is (rustfft panics there;
    /// tract only passes whole runs).
    fn process(&self, buffer: &mut [Complex<T>]);
}

/// Plans transforms. rustfft picks an algorithm per length here; this one has two.
pub struct FftPlanner<T: FftNum> {
    numbers: PhantomData<T>,
}

impl<T: FftNum> Default for FftPlanner<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: FftNum> FftPlanner<T> {
    /// A planner.
    pub fn new() -> Self {
        FftPlanner {
            numbers: PhantomData,
        }
    }

    /// A transform of length `len` in `direction`, its `n` twiddle factors `w^k` computed once
    /// in `f64`.
    pub fn plan_fft(&mut self, len: usize, direction: FftDirection) -> Arc<dyn Fft<T>> {
        let sign = match direction {
            FftDirection::Forward => -1.0,
            FftDirection::Inverse => 1.0,
        };
        let twiddles = (0..len)
            .map(|k| {
                let angle = sign * 2.0 * std::f64::consts::PI * k as f64 / len as f64;
                let part = |v: f64| T::from_f64(v).unwrap_or_else(T::zero);
                Complex::new(part(angle.cos()), part(angle.sin()))
            })
            .collect();
        Arc::new(Plan {
            direction,
            twiddles,
        })
    }

    /// `plan_fft(len, Forward)`.
    pub fn plan_fft_forward(&mut self, len: usize) -> Arc<dyn Fft<T>> {
        self.plan_fft(len, FftDirection::Forward)
    }

    /// `plan_fft(len, Inverse)`.
    pub fn plan_fft_inverse(&mut self, len: usize) -> Arc<dyn Fft<T>> {
        self.plan_fft(len, FftDirection::Inverse)
    }
}

struct Plan<T> {
    direction: FftDirection,
    /// `w^k` for `k < n`.
    twiddles: Vec<Complex<T>>,
}

impl<T: FftNum> Fft<T> for Plan<T> {
    fn len(&self) -> usize {
        self.twiddles.len()
    }

    fn fft_direction(&self) -> FftDirection {
        self.direction
    }

    fn process(&self, buffer: &mut [Complex<T>]) {
        let n = self.len();
        if n < 2 {
            return;
        }
        let mut scratch = Vec::new();
        for run in buffer.chunks_exact_mut(n) {
            if n.is_power_of_two() {
                self.radix2(run);
            } else {
                scratch.clear();
                scratch.extend_from_slice(run);
                self.direct(&scratch, run);
            }
        }
    }
}

impl<T: FftNum> Plan<T> {
    /// In place: bit-reversed order, then `log2 n` stages of butterflies
    /// `(a, b) ← (a + w·b, a − w·b)`.
    fn radix2(&self, x: &mut [Complex<T>]) {
        let n = x.len();
        let bits = n.trailing_zeros();
        for i in 0..n {
            let j = i.reverse_bits() >> (usize::BITS - bits);
            if i < j {
                x.swap(i, j);
            }
        }
        let mut half = 1;
        while half < n {
            let step = n / (2 * half);
            for start in (0..n).step_by(2 * half) {
                for j in 0..half {
                    let t = self.twiddles[j * step] * x[start + j + half];
                    let a = x[start + j];
                    x[start + j] = a + t;
                    x[start + j + half] = a - t;
                }
            }
            half *= 2;
        }
    }

    /// `out[k] = Σ_j x[j]·w^(jk mod n)`.
    fn direct(&self, x: &[Complex<T>], out: &mut [Complex<T>]) {
        let n = x.len();
        for (k, out) in out.iter_mut().enumerate() {
            let mut sum = Complex::new(T::zero(), T::zero());
            let mut at = 0;
            for &v in x {
                sum = sum + v * self.twiddles[at];
                at = (at + k) % n;
            }
            *out = sum;
        }
    }
}
