//! A theory whose tabulated law and density grids are computed once: the power table compares the
//! same perturbed theory with the draws of every seed, and `validate::spectral::compare` tabulates the
//! law (and the figure's density curve) on every call. The numbers are those of the wrapped model.

use nnlimits::error::Result;
use nnlimits::model::{SpectralModel, Support};
use nnlimits::spectral::SpectralDensity;
use num_complex::Complex64;
use std::collections::HashMap;
use std::sync::Mutex;

/// `inner` with memoised `tabulate` and `density_many`.
pub struct Cached {
    inner: Box<dyn SpectralModel>,
    tables: Mutex<HashMap<usize, SpectralDensity>>,
    grids: Mutex<HashMap<Vec<u64>, Vec<f64>>>,
}

impl Cached {
    pub fn new(inner: Box<dyn SpectralModel>) -> Self {
        Cached {
            inner,
            tables: Mutex::new(HashMap::new()),
            grids: Mutex::new(HashMap::new()),
        }
    }
}

impl SpectralModel for Cached {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn params(&self) -> serde_json::Value {
        self.inner.params()
    }
    fn stieltjes(&self, z: Complex64) -> Result<Complex64> {
        self.inner.stieltjes(z)
    }
    fn density(&self, x: f64) -> Result<f64> {
        self.inner.density(x)
    }
    fn support(&self) -> Result<Support> {
        self.inner.support()
    }
    fn moments(&self) -> Vec<f64> {
        self.inner.moments()
    }
    fn lss_variance(&self, n: usize) -> Option<[f64; 2]> {
        self.inner.lss_variance(n)
    }
    fn density_many(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let key: Vec<u64> = xs.iter().map(|x| x.to_bits()).collect();
        if let Some(v) = self.grids.lock().expect("cache").get(&key) {
            return Ok(v.clone());
        }
        let v = self.inner.density_many(xs)?;
        self.grids.lock().expect("cache").insert(key, v.clone());
        Ok(v)
    }
    fn tabulate(&self, nodes: usize) -> Result<SpectralDensity> {
        if let Some(t) = self.tables.lock().expect("cache").get(&nodes) {
            return Ok(t.clone());
        }
        let t = self.inner.tabulate(nodes)?;
        self.tables.lock().expect("cache").insert(nodes, t.clone());
        Ok(t)
    }
}
