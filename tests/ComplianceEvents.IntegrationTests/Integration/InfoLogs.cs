using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>Information and above from every category of a running host, while attached.</summary>
public sealed class InfoLogs : ILoggerProvider
{
    private volatile bool _attached = true;
    public ConcurrentQueue<string> Entries { get; } = new();

    /// <summary>Added to a running host's logger factory: its existing loggers write here too from now on.</summary>
    public static InfoLogs Attach(IServiceProvider services)
    {
        var logs = new InfoLogs();
        services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        return logs;
    }

    public void Detach() => _attached = false;
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(InfoLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => owner._attached && logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
