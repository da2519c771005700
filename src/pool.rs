//! Values that the jobs of a parallel loop borrow and give back.
//!
//! rayon's `map_init` makes its value once per job, and a loop over a hundred thousand items
//! may split into hundreds of jobs: a value that is costly to make (an engine with its state
//! for every node, a scratch space as large as the model) is better lent from a pool, made
//! only when every one made so far is out.

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};

/// The values of one loop's jobs, kept between them.
pub(crate) struct Pool<T>(Mutex<Vec<T>>);

impl<T> Pool<T> {
    /// A pool holding `values` (none, or those kept from an earlier loop).
    pub(crate) fn new(values: Vec<T>) -> Self {
        Pool(Mutex::new(values))
    }

    /// A value from the pool, or one from `make` when all are out. It goes back to the pool
    /// when the lease is dropped, unless the job panicked (the value may be left half-way).
    pub(crate) fn lease(&self, make: impl FnOnce() -> T) -> Lease<'_, T> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        Lease {
            value: Some(kept.unwrap_or_else(make)),
            pool: self,
        }
    }

    /// The values, all given back.
    pub(crate) fn into_inner(self) -> Vec<T> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A value lent out of a [`Pool`] for one job.
pub(crate) struct Lease<'p, T> {
    value: Option<T>,
    pool: &'p Pool<T>,
}

impl<T> Deref for Lease<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value
            .as_ref()
            .expect("a lease holds its value until dropped")
    }
}

impl<T> DerefMut for Lease<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_mut()
            .expect("a lease holds its value until dropped")
    }
}

impl<T> Drop for Lease<'_, T> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take()
            && !std::thread::panicking()
        {
            (self.pool.0.lock().unwrap_or_else(PoisonError::into_inner)).push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_made_only_when_every_one_is_out() {
        let pool = Pool::new(Vec::new());
        let mut made = 0;
        {
            let a = pool.lease(|| {
                made += 1;
                made
            });
            let b = pool.lease(|| 10);
            assert_eq!((*a, *b), (1, 10));
        }
        // Both came back: the next two leases make nothing.
        let c = pool.lease(|| 99);
        let d = pool.lease(|| 99);
        assert_ne!(*c, 99);
        assert_ne!(*d, 99);
        drop((c, d));
        let mut kept = pool.into_inner();
        kept.sort_unstable();
        assert_eq!(kept, vec![1, 10]);
    }
}
