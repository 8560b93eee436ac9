//! Taking entries out of the request tree. The traversal decides, entry by
//! entry, what stays: a field the policy drops, a group or cart item it
//! leaves empty, an entry the echo search or the detectors take out (a
//! card in its key, a value left whole or not at all), an array item
//! redacted, a group or cart item the detectors leave empty, an address
//! line a card wrapped across both lines leaves blank. All of these
//! are taken out by [`keep_in_order`], as the entries are met, in one pass
//! over each object or array.
//!
//! Invariants: what stays keeps its order (objects stay sorted by key);
//! each entry is asked once; the caller records what it took out in the
//! report, in the order it is met.

use super::doc::ArenaVec;

/// Keeps the items for which `keep` (given each item's position, how many
/// were kept before it, and the item) says so, in their order: each kept
/// item moves down over those left out, and the rest is cut off once. The
/// first refusal stops it.
pub(super) fn keep_in_order<T, E>(
    items: &mut ArenaVec<'_, T>,
    mut keep: impl FnMut(usize, usize, &mut T) -> Result<bool, E>,
) -> Result<(), E> {
    let mut kept = 0;
    for position in 0..items.len() {
        if keep(position, kept, &mut items[position])? {
            if kept != position {
                items.swap(kept, position);
            }
            kept += 1;
        }
    }
    items.truncate(kept);
    Ok(())
}
