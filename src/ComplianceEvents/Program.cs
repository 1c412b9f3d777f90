using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using JasperFx.Resources;
using Scalar.AspNetCore;
using ComplianceEvents.Integration;
using Wolverine;
using Wolverine.Http;

if (CliHost.NeedsNoHost(args)) return await CliHost.RunWithoutHost(args);

var builder = WebApplication.CreateBuilder(args);
if (CliHost.IsCommand(args))
{
    // A CLI command starts the host for its handlers but must not take the server's port, nor chatter.
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration["ReadModels:DriftCheckMinutes"] = "0"; // a CLI run checks drift only when asked (`drift`)
    CliHost.KeepStdoutForResults();
}
string connectionString;
try { connectionString = Database.ResolveConnectionString(builder.Configuration, builder.Services); }
catch (EmbeddedPostgresException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
builder.Services.AddCompliancePersistence(connectionString);
ComplianceEvents.Reports.ReportsModule.AddReports(builder.Services);
// Marten's and Wolverine's tables exist before the host listens: /health tells the truth on an empty database.
builder.Services.AddResourceSetupOnStartup();
builder.Services.AddComplianceHealth();
builder.Host.UseWolverine(opts =>
{
    Messaging.Configure(opts);
    IntegrationSetup.ConfigureMessaging(opts, builder.Configuration);
});
builder.AddIntegration();
builder.Services.AddWolverineHttp();
builder.AddComplianceAuth();
builder.AddComplianceTelemetry();
builder.Services.AddOpenApi();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.FromFrameworkRefusal);
builder.Services.ConfigureHttpJsonOptions(o => JsonContract.ApiConventions(o.SerializerOptions));

var app = builder.Build();
app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = HttpErrors.StatusFor });
app.UseTruthfulOpenApi();
app.UseAuthentication();
app.UseAuthorization();
app.UseJsonContract();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
app.MapHealth();
app.MapWolverineEndpoints(opts =>
{
    opts.RequireAuthorizeOnAll();
    // "?asOfSequence=abc" is a 400 naming the parameter, not a silent "as of now" (Wolverine 6's default binds null).
    opts.RejectUnparseableQueryValues = true;
});

return CliHost.IsCommand(args) ? await CliHost.RunCommand(app, args) : await CliHost.Serve(app);

public partial class Program;
