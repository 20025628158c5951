//! The stdlib's exported functions as IR function references.

use crate::ir::{CType, FuncRef};
use std::collections::HashMap;

/// Every `hbmc-stdlib` symbol the IR may call, by name.
pub struct SymbolTable {
    funcs: HashMap<&'static str, FuncRef>,
}

impl SymbolTable {
    /// Reads the stdlib's symbol table. Symbols whose C types the IR does
    /// not model (transform records) are left out.
    pub fn from_stdlib() -> SymbolTable {
        let mut funcs = HashMap::new();
        for s in hbmc_stdlib::symbols() {
            let params: Option<Vec<CType>> = s.args.iter().map(|t| ir_ctype(*t)).collect();
            if let (Some(params), Some(ret)) = (params, ir_ctype(s.ret)) {
                funcs.insert(s.name, FuncRef { symbol: s.name.to_string(), params, ret });
            }
        }
        SymbolTable { funcs }
    }

    /// The function with this exported name.
    pub fn get(&self, name: &str) -> Option<FuncRef> {
        self.funcs.get(name).cloned()
    }
}

fn ir_ctype(t: hbmc_stdlib::CType) -> Option<CType> {
    use hbmc_stdlib::CType as S;
    Some(match t {
        S::F64 => CType::F64,
        S::I64 => CType::I64,
        S::I32 => CType::I32,
        S::PtrF64 => CType::PtrF64,
        S::PtrConstF64 => CType::PtrConstF64,
        S::PtrRng => CType::PtrRng,
        S::Void => CType::Void,
        _ => return None,
    })
}
