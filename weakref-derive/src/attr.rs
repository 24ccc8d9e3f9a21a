//! Parsing of the `#[referent(...)]` attributes on the struct and its fields.
//!
//! Parsing never stops at the first mistake: each one is pushed to an
//! [`Errors`] and the rest of the attribute is still read, so the user sees
//! all of them at once.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, LitStr, Path, Token};

/// Every user mistake found so far, combined into one `syn::Error`.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Records `error` beside the ones already found.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Returns `value`, or every error found (with `value`'s own, if any).
    pub(crate) fn finish<T>(self, value: syn::Result<T>) -> syn::Result<T> {
        match (self.0, value) {
            (None, value) => value,
            (Some(errors), Ok(_)) => Err(errors),
            (Some(mut errors), Err(error)) => {
                errors.combine(error);
                Err(errors)
            }
        }
    }
}

/// The struct-level attributes: `#[referent(callable, crate = "path")]`.
#[derive(Default)]
pub(crate) struct StructAttrs {
    /// The `callable` keyword, when present (its span places errors).
    pub(crate) callable: Option<Ident>,
    /// The path given by `crate = "path"`, when present.
    pub(crate) krate: Option<Path>,
}

impl StructAttrs {
    /// Reads every `#[referent(...)]` in `attrs`, pushing mistakes to `errors`.
    pub(crate) fn parse(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut parsed = Self::default();
        for attr in referent_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let ident = meta.path.get_ident().cloned();
                match ident {
                    Some(ident) if ident == "callable" => {
                        no_value(&meta, &ident, errors)?;
                        if parsed.callable.is_some() {
                            errors.push(duplicate(&ident));
                        } else {
                            parsed.callable = Some(ident);
                        }
                    }
                    Some(ident) if ident == "crate" => {
                        if let Some(path) = crate_path(&meta, &ident, errors)? {
                            if parsed.krate.is_some() {
                                errors.push(duplicate(&ident));
                            } else {
                                parsed.krate = Some(path);
                            }
                        }
                    }
                    Some(ident) if ident == "header" => {
                        let tokens = item(&meta)?;
                        errors.push(syn::Error::new_spanned(
                            tokens,
                            "`header` is a field attribute: put `#[referent(header)]` \
                             on the header field, not on the struct",
                        ));
                    }
                    _ => errors.push(unknown(&meta)?),
                }
                Ok(())
            });
            if let Err(error) = result {
                errors.push(error);
            }
        }
        parsed
    }
}

/// Reads the `#[referent(...)]` attributes of a field, pushing mistakes to
/// `errors`; returns the `header` keyword if the field is marked as the header.
pub(crate) fn header_mark(attrs: &[Attribute], errors: &mut Errors) -> Option<Ident> {
    let mut mark = None;
    for attr in referent_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            let ident = meta.path.get_ident().cloned();
            match ident {
                Some(ident) if ident == "header" => {
                    no_value(&meta, &ident, errors)?;
                    if mark.is_some() {
                        errors.push(duplicate(&ident));
                    } else {
                        mark = Some(ident);
                    }
                }
                Some(ident) if ident == "callable" || ident == "crate" => {
                    let tokens = item(&meta)?;
                    errors.push(syn::Error::new_spanned(
                        tokens,
                        format!(
                            "`{ident}` is a struct attribute: put it in a `#[referent(...)]` \
                             on the struct, not on a field"
                        ),
                    ));
                }
                _ => errors.push(unknown(&meta)?),
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    mark
}

/// The attributes named `referent`; all others belong to someone else.
fn referent_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("referent"))
}

/// Consumes the rest of the current item (`= value` or `(...)`, up to the
/// next comma) and returns the whole item, name included, to span errors.
fn item(meta: &ParseNestedMeta<'_>) -> syn::Result<TokenStream> {
    let rest = meta.input.step(|cursor| {
        let mut rest = *cursor;
        let mut tokens = TokenStream::new();
        while let Some((token, next)) = rest.token_tree() {
            if matches!(&token, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            tokens.extend([token]);
            rest = next;
        }
        Ok((tokens, rest))
    })?;
    let path = &meta.path;
    Ok(quote!(#path #rest))
}

/// Checks that a flag such as `callable` or `header` has no value.
fn no_value(meta: &ParseNestedMeta<'_>, ident: &Ident, errors: &mut Errors) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        let tokens = item(meta)?;
        errors.push(syn::Error::new_spanned(
            tokens,
            format!("`{ident}` takes no value: write `#[referent({ident})]`"),
        ));
    }
    Ok(())
}

/// Parses `crate = "path"`; pushes a mistake and returns `None` if it is malformed.
fn crate_path(
    meta: &ParseNestedMeta<'_>,
    ident: &Ident,
    errors: &mut Errors,
) -> syn::Result<Option<Path>> {
    if !(meta.input.peek(Token![=]) && meta.input.peek2(LitStr)) {
        let tokens = item(meta)?;
        errors.push(syn::Error::new_spanned(
            tokens,
            format!("`{ident}` takes a path in a string: write `#[referent(crate = \"path\")]`"),
        ));
        return Ok(None);
    }
    let lit: LitStr = meta.value()?.parse()?;
    if let Ok(path) = lit.parse_with(Path::parse_mod_style) {
        return Ok(Some(path));
    }
    errors.push(syn::Error::new_spanned(
        &lit,
        format!(
            "malformed crate path `{}`: write a path such as \"::weakref\" \
             or \"my_crate::weakref\"",
            lit.value()
        ),
    ));
    Ok(None)
}

/// The error for an attribute given twice.
fn duplicate(ident: &Ident) -> syn::Error {
    syn::Error::new_spanned(
        ident,
        format!("duplicate `{ident}` attribute: remove this one"),
    )
}

/// The error for an attribute this derive does not know (its value is skipped).
fn unknown(meta: &ParseNestedMeta<'_>) -> syn::Result<syn::Error> {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    item(meta)?;
    Ok(syn::Error::new_spanned(
        &meta.path,
        format!(
            "unknown referent attribute `{name}`: expected `callable`, \
             `crate = \"path\"` (on the struct) or `header` (on a field)"
        ),
    ))
}
