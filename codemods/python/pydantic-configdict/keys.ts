/**
 * What happens to each `class Config` key when it becomes a `ConfigDict`
 * entry. Pydantic 2 keeps a v1 name it does not know in `model_config` and
 * then ignores it, so every renamed key must be renamed here.
 */

/** v1 name -> v2 name, from pydantic's own table (`V2_RENAMED_KEYS`), except that
 * `allow_population_by_field_name` maps to `populate_by_name`, which every 2.x release accepts. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  orm_mode: 'from_attributes',
  allow_population_by_field_name: 'populate_by_name',
  anystr_strip_whitespace: 'str_strip_whitespace',
  anystr_lower: 'str_to_lower',
  anystr_upper: 'str_to_upper',
  min_anystr_length: 'str_min_length',
  max_anystr_length: 'str_max_length',
  validate_all: 'validate_default',
  keep_untouched: 'ignored_types',
  schema_extra: 'json_schema_extra',
};

/** Keys pydantic 2 dropped with no drop-in replacement: the user has to decide. */
export const REMOVED_KEYS: ReadonlySet<string> = new Set([
  'fields',
  'smart_union',
  'underscore_attrs_are_private',
  'copy_on_model_validation',
  'json_loads',
  'json_dumps',
  'getter_dict',
  'error_msg_templates',
  'post_init_call',
]);

/** `ConfigDict` keys (pydantic 2.13); a `class Config` may already use them. */
export const MODEL_KEYS: ReadonlySet<string> = new Set([
  'alias_generator',
  'allow_inf_nan',
  'arbitrary_types_allowed',
  'cache_strings',
  'coerce_numbers_to_str',
  'defer_build',
  'extra',
  'field_title_generator',
  'from_attributes',
  'frozen',
  'hide_input_in_errors',
  'ignored_types',
  'json_encoders',
  'json_schema_extra',
  'json_schema_mode_override',
  'json_schema_serialization_defaults_required',
  'loc_by_alias',
  'model_title_generator',
  'plugin_settings',
  'populate_by_name',
  'protected_namespaces',
  'regex_engine',
  'revalidate_instances',
  'schema_generator',
  'ser_json_bytes',
  'ser_json_inf_nan',
  'ser_json_temporal',
  'ser_json_timedelta',
  'serialize_by_alias',
  'str_max_length',
  'str_min_length',
  'str_strip_whitespace',
  'str_to_lower',
  'str_to_upper',
  'strict',
  'title',
  'use_attribute_docstrings',
  'use_enum_values',
  'val_json_bytes',
  'validate_assignment',
  'validate_by_alias',
  'validate_by_name',
  'validate_default',
  'validate_return',
  'validation_error_cause',
]);

/** Keys only `SettingsConfigDict` has (pydantic-settings 2.x). */
export const SETTINGS_KEYS: ReadonlySet<string> = new Set([
  'case_sensitive',
  'cli_avoid_json',
  'cli_enforce_required',
  'cli_exit_on_error',
  'cli_flag_prefix_char',
  'cli_hide_none_type',
  'cli_ignore_unknown_args',
  'cli_implicit_flags',
  'cli_kebab_case',
  'cli_parse_args',
  'cli_parse_none_str',
  'cli_prefix',
  'cli_prog_name',
  'cli_shortcuts',
  'cli_use_class_docs_for_groups',
  'enable_decoding',
  'env_file',
  'env_file_encoding',
  'env_ignore_empty',
  'env_nested_delimiter',
  'env_nested_max_split',
  'env_parse_enums',
  'env_parse_none_str',
  'env_prefix',
  'json_file',
  'json_file_encoding',
  'nested_model_default_partial_update',
  'pyproject_toml_depth',
  'pyproject_toml_table_header',
  'secrets_dir',
  'toml_file',
  'yaml_config_section',
  'yaml_file',
  'yaml_file_encoding',
]);

/** `Extra.<member>` values that become plain strings. */
export const EXTRA_MEMBERS: ReadonlySet<string> = new Set(['forbid', 'allow', 'ignore']);
