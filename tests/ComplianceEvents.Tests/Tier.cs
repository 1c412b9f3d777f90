// The fast tier: no database, no browser, seconds (README "Test it": dotnet test --filter Tier=Fast). The integration
// project carries no assembly-level attribute: the CLI tests run the product from its output folder, where JasperFx reads
// every assembly's attributes and xunit.core is not resolvable.
[assembly: AssemblyTrait("Tier", "Fast")]
