//! A map from a type to one value of it: where middleware leaves what it learned about a request
//! (the authenticated user, the time it started) for the handler, and where the application keeps
//! its shared state (the guestbook's store). The `http` crate's `Extensions` is the same idea.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

/// At most one value of each type, looked up by its type.
///
/// # Examples
///
/// ```
/// use stage05_framework::Extensions;
///
/// struct User(String);
/// let mut extensions = Extensions::new();
/// extensions.insert(User("ada".into()));
/// assert_eq!(extensions.get::<User>().map(|u| u.0.as_str()), Some("ada"));
/// assert!(extensions.get::<u32>().is_none());
/// ```
#[derive(Default)]
pub struct Extensions {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Extensions {
    /// An empty map.
    pub fn new() -> Extensions {
        Extensions::default()
    }

    /// Stores `value`, and gives back the value of that type stored before, if any.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> Option<T> {
        self.values
            .insert(TypeId::of::<T>(), Box::new(value))
            .and_then(|old| old.downcast().ok())
            .map(|old| *old)
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// Whether a value of the type with this id is stored.
    pub fn contains_type(&self, id: TypeId) -> bool {
        self.values.contains_key(&id)
    }

    /// The value of type `T`, to change it.
    pub fn get_mut<T: Send + Sync + 'static>(&mut self) -> Option<&mut T> {
        self.values.get_mut(&TypeId::of::<T>())?.downcast_mut()
    }

    /// Takes the value of type `T` out.
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> Option<T> {
        self.values
            .remove(&TypeId::of::<T>())
            .and_then(|old| old.downcast().ok())
            .map(|old| *old)
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extensions({} values)", self.values.len())
    }
}
