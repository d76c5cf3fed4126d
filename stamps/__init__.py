"""Prevention stamps (*pieczęć prewencyjna*): a client's stamp designs, their artwork, and the
public page where anyone holding an invoice checks that the receivable is under monitoring."""
