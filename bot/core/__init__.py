"""The product's rules, pure: roles and access, time and working days (holidays, shifts), the
reminder policy, i18n and labels. Imports nothing above it and never `telegram`."""
