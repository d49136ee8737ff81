//! Model files that broke the release package (`../shared/robustness/`, copied into
//! tests/fixtures/robustness/): tract asserted on each (a trap in wasm, where `panic = "abort"`
//! takes the whole module down). Each must now give an error that names the problem, without any
//! panic, and the engine must keep working afterwards.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cnn_playground::engine::Model;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/robustness");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_robustness_model_is_refused_with_an_error_not_a_panic() {
    let files = fixtures();
    assert_eq!(files.len(), 35);
    let mut panics = Vec::new();
    for (name, bytes) in &files {
        eprintln!("loading {name}");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let model = Model::load(bytes)?;
            let size: usize = model.input_shape().iter().product();
            model.run(&vec![0.5; size])?;
            model.feature_maps(&vec![0.5; size])?;
            anyhow::Ok(())
        }));
        match outcome {
            Err(_) => panics.push(name.clone()),
            Ok(Ok(())) => panic!("{name} loaded and ran"),
            Ok(Err(e)) => println!("{name}: {e:#}"),
        }
    }
    assert!(
        panics.is_empty(),
        "{} files panic inside tract: {panics:?}",
        panics.len()
    );
}
