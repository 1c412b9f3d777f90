using FluentValidation;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Every command's shape validator, found once at start-up. Stands in for WolverineFx.FluentValidation
/// (not on the registry here, docs/dependencies.md): CommandRunner calls it for every command, whatever the entry point.
/// </summary>
public sealed class CommandValidators
{
    private readonly Dictionary<Type, IValidator> _byCommand;

    public CommandValidators(IEnumerable<IValidator> validators) =>
        _byCommand = validators.ToDictionary(v => CommandTypeOf(v.GetType()));

    public static CommandValidators FromAssembly(System.Reflection.Assembly assembly) =>
        new(assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IValidator).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IValidator)Activator.CreateInstance(t)!));

    public IValidator<T>? For<T>() => _byCommand.GetValueOrDefault(typeof(T)) as IValidator<T>;

    public IValidator? For(Type commandType) => _byCommand.GetValueOrDefault(commandType);

    /// <summary>
    /// Shape first, whatever the entry point: the input contract (<see cref="JsonContract.CheckCommand"/>, on the raw body
    /// when the command came from a transport), then the command's validator, in one answer as over HTTP. Null when valid.
    /// </summary>
    public CommandResult? Check(object command, ReadOnlyMemory<byte>? wire)
    {
        var errors = JsonContract.CheckCommand(command, wire);
        // A body that cannot be bound (a missing or null value) is not handed to the validator, which would judge its default.
        // The validators have no asynchronous rules, so every entry point (the importer's in-memory steps too) checks alike.
        if (!errors.Any(JsonContract.IsStructural) && For(command.GetType()) is { } validator)
        {
            var known = errors.Select(e => e.Field).ToHashSet();
            errors.AddRange(CommandRunner.Invalid(validator.Validate(new ValidationContext<object>(command))).Errors
                .Where(e => !known.Contains(e.Field)));
        }
        return errors.Count == 0 ? null : CommandResult.Invalid(errors);
    }

    private static Type CommandTypeOf(Type validatorType) =>
        validatorType.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)).GetGenericArguments()[0];
}
