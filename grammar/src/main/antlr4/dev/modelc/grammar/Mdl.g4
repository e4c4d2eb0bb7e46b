// The .mdl model language.
//
// A file holds layer definitions and models, in any order. Newlines are not significant: a declaration
// ends where the next one begins (a `;` may separate them). Every alternative is labelled so that the
// AST builder has one visit method per form. Operator precedence follows Python: `**` binds tightest
// and is right-associative, then unary minus and the mask negation `~`, then `* / @`, then `+ -`, then the mask
// operators `&` and then `|`, then the comparisons `< <= > >= == !=` (parsed left to right; the checker rejects a
// chain such as `a < b < c`); `^T` (transpose), indexing `x[i, a:b:s, ...]` and calls are postfix and bind tighter
// than all of them. As in Python, `&` binds tighter than a comparison: `(a > 0) & (b > 0)` needs its brackets.
grammar Mdl;

file
    : (definition | SEMI)* EOF
    ;

definition
    : MODEL name=ID LBRACE member* RBRACE                                  # ModelDef
    | LAYER name=ID LPAREN sizeParams? RPAREN LBRACE member* callDef SEMI* RBRACE     # LayerDef
    ;

sizeParams
    : ID (COMMA ID)* COMMA?
    ;

member
    : INPUT name=ID COLON type                                             # InputDecl
    | kind=(PARAM | BUFFER) name=ID COLON type (INIT init=expr)?           # ParamDecl
    | LET name=ID (COLON type)? ASSIGN value=expr                          # LetDecl
    | OUTPUT ID (COMMA ID)* COMMA?                                         # OutputDecl
    | MINIMIZE objective=expr WITH optimizer=call                          # MinimizeDecl
    | name=ID ASSIGN layer=call                                            # InstanceDecl
    | SEMI                                                                 # EmptyMember
    ;

// The body of a layer: `(x) = expr`, or `(x) { let h = ...  return expr }`.
callDef
    : LPAREN ID (COMMA ID)* COMMA? RPAREN ASSIGN body=expr                 # ExprCallDef
    | LPAREN ID (COMMA ID)* COMMA? RPAREN LBRACE callStmt* RETURN body=expr SEMI? RBRACE  # BlockCallDef
    ;

callStmt
    : LET name=ID (COLON type)? ASSIGN value=expr                          # CallLet
    | SEMI                                                                 # CallEmpty
    ;

type
    : dtype=(F32 | F64 | I32) (LBRACK (expr (COMMA expr)* COMMA?)? RBRACK)?
    ;

expr
    : primary                                                              # PrimaryExpr
    | expr TRANSPOSE                                                       # TransposeExpr
    | expr LBRACK index (COMMA index)* COMMA? RBRACK                        # IndexExpr
    | <assoc=right> expr POW expr                                          # PowerExpr
    | op=(MINUS | PLUS | TILDE) expr                                       # UnaryExpr
    | expr op=(STAR | SLASH | AT) expr                                     # MulExpr
    | expr op=(PLUS | MINUS) expr                                          # AddExpr
    | expr AMP expr                                                        # AndExpr
    | expr PIPE expr                                                       # OrExpr
    | expr op=(LT | LE | GT | GE | EQ | NE) expr                           # CompareExpr
    ;

// One entry of `x[...]`: `...`, a slice `start:stop:step` (each part optional), or an integer index.
index
    : ELLIPSIS                                                             # EllipsisIndex
    | start=expr? COLON stop=expr? (COLON step=expr?)?                     # SliceIndex
    | expr                                                                 # PointIndex
    ;

primary
    : call                                                                 # CallPrimary
    | ID                                                                   # NamePrimary
    | INT                                                                  # IntPrimary
    | FLOAT                                                                # FloatPrimary
    | STRING                                                               # StringPrimary
    | (TRUE | FALSE)                                                       # BoolPrimary
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                           # ListPrimary
    | LPAREN expr RPAREN                                                   # ParenPrimary
    ;

call
    : callee=ID LPAREN (arg (COMMA arg)* COMMA?)? RPAREN
    ;

arg
    : name=ID ASSIGN value=expr                                            # NamedArg
    | value=expr                                                           # PositionalArg
    ;

// ---- lexer ----

MODEL    : 'model';
LAYER    : 'layer';
INPUT    : 'input';
PARAM    : 'param';
BUFFER   : 'buffer';
LET      : 'let';
OUTPUT   : 'output';
MINIMIZE : 'minimize';
WITH     : 'with';
INIT     : 'init';
RETURN   : 'return';
TRUE     : 'true';
FALSE    : 'false';
F32      : 'f32';
F64      : 'f64';
I32      : 'i32';

TRANSPOSE : '^T';
ELLIPSIS : '...';
POW      : '**';
STAR     : '*';
SLASH    : '/';
AT       : '@';
PLUS     : '+';
MINUS    : '-';
TILDE    : '~';
AMP      : '&';
PIPE     : '|';
LE       : '<=';
GE       : '>=';
EQ       : '==';
NE       : '!=';
LT       : '<';
GT       : '>';
ASSIGN   : '=';
COLON    : ':';
COMMA    : ',';
SEMI     : ';';
LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
LBRACE   : '{';
RBRACE   : '}';

ID       : [a-zA-Z_] [a-zA-Z_0-9]*;
INT      : [0-9]+;
FLOAT    : [0-9]+ '.' [0-9]* EXPONENT? | '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT;
STRING   : '"' (~["\\\r\n] | '\\' .)* '"';
// A string the line ends inside of; reported by the front end as unterminated.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' .)*;

fragment EXPONENT : [eE] [+-]? [0-9]+;

LINE_COMMENT  : '//' ~[\r\n]* -> skip;
BLOCK_COMMENT : '/*' .*? '*/' -> skip;
// A block comment the file ends inside of (its text holds no '*/'); reported by the front end as not closed.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
WS            : [ \t\r\n\f]+ -> skip;

// Anything else is one bad character, reported by the front end with its position.
BAD_CHAR : .;
