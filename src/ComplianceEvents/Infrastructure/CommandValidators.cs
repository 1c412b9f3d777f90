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

    private static Type CommandTypeOf(Type validatorType) =>
        validatorType.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)).GetGenericArguments()[0];
}
