// Every test here runs over a real PostgreSQL; the browser test and the quick bench are also "Slow".
[assembly: AssemblyTrait("Tier", "Integration")]
