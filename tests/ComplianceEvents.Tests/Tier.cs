// The fast tier: no database, no browser, seconds (README "Test it": dotnet test --filter Tier=Fast).
[assembly: AssemblyTrait("Tier", "Fast")]
