using Npgsql;

namespace ComplianceEvents.Benchmarks.Raw;

/// <summary>One-value queries the figures use to describe their data (counts, sequences, sizes).</summary>
public static class Sql
{
    public static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        var value = await cmd.ExecuteScalarAsync();
        // Npgsql reads timestamptz as a UTC DateTime.
        if (typeof(T) == typeof(DateTimeOffset) && value is DateTime utc) return (T)(object)new DateTimeOffset(utc, TimeSpan.Zero);
        // Some Marten columns are integer, others bigint: numbers convert to the type asked for.
        if (value is IConvertible && typeof(T) != typeof(DateTimeOffset)) return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        return (T)value!;
    }
}
