//! Program-level rules: block order, the `dims` block, and what each block
//! may contain.

use super::env::DimInfo;
use super::typed::{TypedBlock, TypedStmt};
use super::{Checker, Context};
use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{Block, BlockBody, BlockKind, DimDecl, Program, StmtKind};

impl Checker {
    /// Checks every block in order and returns the typed blocks.
    pub(super) fn check_blocks(&mut self, program: &Program) -> Vec<TypedBlock> {
        self.check_block_order(program);
        for block in &program.blocks {
            if let BlockBody::Stmts(stmts) = &block.body {
                for stmt in stmts {
                    if let StmtKind::Decl(d) = &stmt.kind {
                        self.block_decls.entry(d.name.name.clone()).or_insert(d.name.span);
                    }
                }
            }
        }
        let mut typed = Vec::new();
        // Dims first, wherever they were written, so later blocks see them.
        for block in &program.blocks {
            if let BlockBody::Dims(decls) = &block.body {
                self.check_dims_block(decls);
            }
        }
        for block in &program.blocks {
            if let BlockBody::Functions(defs) = &block.body {
                self.check_user_functions(defs);
            }
        }
        let mut seen = Vec::new();
        for block in &program.blocks {
            let BlockBody::Stmts(stmts) = &block.body else {
                continue;
            };
            if seen.contains(&block.kind) {
                continue; // reported by check_block_order
            }
            seen.push(block.kind);
            if block.kind == BlockKind::Functions {
                // Its functions were expanded where they are called (`syntax::functions`).
                continue;
            }
            typed.push(self.check_program_block(block, stmts));
        }
        typed.sort_by_key(|b| b.kind);
        typed
    }

    fn check_block_order(&mut self, program: &Program) {
        let mut latest: Option<&Block> = None;
        for (i, block) in program.blocks.iter().enumerate() {
            if let Some(first) = program.blocks[..i].iter().find(|b| b.kind == block.kind) {
                self.report(
                    Diagnostic::error(
                        "E3006",
                        format!("the `{}` block appears twice", block.kind.keyword()),
                    )
                    .with_label(block.header, "second block here")
                    .with_label(first.header, "first block here")
                    .with_help("merge the two blocks into one"),
                );
                continue;
            }
            if let Some(prev) = latest {
                if prev.kind > block.kind {
                    self.report(
                        Diagnostic::error(
                            "E3006",
                            format!(
                                "the `{}` block must come before the `{}` block",
                                block.kind.keyword(),
                                prev.kind.keyword()
                            ),
                        )
                        .with_label(block.header, "this block is out of order")
                        .with_label(prev.header, "it must come before this one")
                        .with_help(
                            "blocks go in the order dims, functions, data, transformed data, \
                             parameters, transformed parameters, model, generated quantities",
                        ),
                    );
                    continue;
                }
            }
            latest = Some(block);
        }
    }

    fn check_dims_block(&mut self, decls: &[DimDecl]) {
        for decl in decls {
            if let Some(previous) = self.dims.lookup(&decl.name.name) {
                let first = self.dims.get(previous).span;
                self.report(
                    Diagnostic::error("E2005", format!("dim `{}` is declared twice", decl.name.name))
                        .with_label(decl.name.span, "declared again here")
                        .with_label(first, "first declared here")
                        .with_help("remove one of the declarations"),
                );
                continue;
            }
            if let Some(why) = super::reserved_name(&decl.name.name) {
                self.report(
                    Diagnostic::error("E3009", format!("`{}` cannot be a dim name", decl.name.name))
                        .with_label(decl.name.span, why)
                        .with_help("choose another name"),
                );
                continue;
            }
            let labels = decl.labels.as_ref().map(|labels| {
                let mut seen: Vec<&str> = Vec::new();
                for label in labels {
                    if seen.contains(&label.value.as_str()) {
                        self.report(
                            Diagnostic::error(
                                "E2005",
                                format!("dim `{}` has the label \"{}\" twice", decl.name.name, label.value),
                            )
                            .with_label(label.span, "repeated label")
                            .with_help("labels of a dim must be distinct"),
                        );
                    }
                    seen.push(&label.value);
                }
                if labels.is_empty() {
                    self.report(
                        Diagnostic::error("E2005", format!("dim `{}` has an empty label list", decl.name.name))
                            .with_label(decl.span, "no labels")
                            .with_help("give at least one label, or write `name;` to take the size from the data"),
                    );
                }
                labels.iter().map(|l| l.value.clone()).collect()
            });
            self.dims.dims.push(DimInfo {
                name: decl.name.name.clone(),
                labels,
                span: decl.name.span,
            });
        }
    }

    fn check_program_block(&mut self, block: &Block, stmts: &[crate::syntax::ast::Stmt]) -> TypedBlock {
        self.ctx = Context {
            block: block.kind,
            nested: false,
            loop_depth: 0,
            inlined: None,
        };
        // The model block's variables are local to it.
        let local_block = block.kind == BlockKind::Model;
        if local_block {
            self.scope.push();
            self.ctx.nested = true;
        }
        let decls_only = matches!(block.kind, BlockKind::Data | BlockKind::Parameters);
        let mut typed: Vec<TypedStmt> = Vec::new();
        for stmt in stmts {
            if decls_only && !matches!(stmt.kind, StmtKind::Decl(_) | StmtKind::Error | StmtKind::Empty) {
                self.report(
                    Diagnostic::error(
                        "E3004",
                        format!("the `{}` block may only declare variables", block.kind.keyword()),
                    )
                    .with_label(stmt.span, "a statement is not allowed here")
                    .with_help(match block.kind {
                        BlockKind::Data => "compute derived values in `transformed data`",
                        _ => "compute derived values in `transformed parameters` or `model`",
                    }),
                );
                continue;
            }
            if let Some(s) = self.check_stmt(stmt) {
                typed.push(s);
            }
        }
        if local_block {
            self.scope.pop();
        }
        TypedBlock {
            kind: block.kind,
            stmts: typed,
        }
    }
}
