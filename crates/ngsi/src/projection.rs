//! The projection language of `pick` and `omit` (clause 4.21): entity
//! members separated by commas, with braces for the members of a linked
//! entity (`id,locatedAt{id,name,isInCountry{id}}`).

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projection(pub Vec<Member>);

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: String,
    /// What to pick (or omit) of the entity a Relationship of this name links to.
    pub nested: Option<Projection>,
}

impl Projection {
    pub fn parse(s: &str) -> Result<Projection, String> {
        let mut p = Parser { s: s.as_bytes(), i: 0 };
        let out = p.list()?;
        if p.i != p.s.len() {
            return Err(format!("unexpected {:?} at {}", &s[p.i..], p.i));
        }
        Ok(out)
    }

    /// How many levels of braces deep it goes.
    pub fn depth(&self) -> usize {
        self.0.iter().filter_map(|m| m.nested.as_ref()).map(|n| n.depth() + 1).max().unwrap_or(0)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|m| m.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Member> {
        self.0.iter().find(|m| m.name == name)
    }

    /// Attribute names (everything but `id` and `type`).
    pub fn attributes(&self) -> impl Iterator<Item = &Member> {
        self.0.iter().filter(|m| m.name != "id" && m.name != "type")
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn list(&mut self) -> Result<Projection, String> {
        let mut out = vec![self.member()?];
        while self.s.get(self.i) == Some(&b',') {
            self.i += 1;
            out.push(self.member()?);
        }
        Ok(Projection(out))
    }

    fn member(&mut self) -> Result<Member, String> {
        let start = self.i;
        while let Some(&c) = self.s.get(self.i) {
            if matches!(c, b',' | b'{' | b'}') {
                break;
            }
            self.i += 1;
        }
        let name = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.trim().to_string();
        if name.is_empty() {
            return Err(format!("a member name is expected at {start}"));
        }
        if !crate::model::is_valid_name(&name) {
            return Err(format!("{name:?} is not a valid member name"));
        }
        let nested = if self.s.get(self.i) == Some(&b'{') {
            self.i += 1;
            let inner = self.list()?;
            if self.s.get(self.i) != Some(&b'}') {
                return Err("a brace is not closed".into());
            }
            self.i += 1;
            Some(inner)
        } else {
            None
        };
        Ok(Member { name, nested })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_projections_and_what_is_refused() {
        let p = Projection::parse("id,locatedAt{id,name,isInCountry{id,description}}").unwrap();
        assert!(p.has("id") && p.has("locatedAt"));
        assert_eq!(p.depth(), 2);
        let linked = p.get("locatedAt").unwrap().nested.as_ref().unwrap();
        assert!(linked.get("isInCountry").unwrap().nested.as_ref().unwrap().has("description"));
        for bad in ["id;name", "id,locatedAt{name", "id,locatedAt{{name}", "id,,name", "id,locatedAt{,name}", "id,locatedAt{}", ""] {
            assert!(Projection::parse(bad).is_err(), "{bad}");
        }
    }
}
