"""Small widgets any view may use."""
