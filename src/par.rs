//! Work spread over the cores, results in input order.

/// Runs `f` over `items` on every core, keeping the order of results.
pub fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_min(items, 64, f)
}

/// [`parallel`], splitting only when there are at least `min` items (a thread costs ~50 µs).
pub fn parallel_min<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    parallel_with(items, min, || (), |_, item| f(item))
}

/// [`parallel_min`] where each thread keeps a state made by `state`, and goes through one
/// run of consecutive items, in order.
pub fn parallel_with<T: Sync, R: Send, S>(
    items: &[T],
    min: usize,
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads <= 1 || items.len() < min {
        let mut st = state();
        return items.iter().map(|item| f(&mut st, item)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| {
                let (f, state) = (&f, &state);
                s.spawn(move || {
                    let mut st = state();
                    c.iter().map(|item| f(&mut st, item)).collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}
